import { describe, expect, it } from 'vitest';
import { GraphClient } from '../../shared/graph/client.js';
import { checkGraphRoot, checkTokenUrl, defaultScope } from '../../shared/graph/clouds.js';
import { isGraphGroupId, isGraphPolicyId } from '../../shared/graph/ids.js';
import { LocalSecretResolver } from '../../shared/graph/secrets.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';

const G = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('Graph ids', () => {
  it('accepts GUIDs and the documented composite forms', () => {
    for (const id of [G, G.toUpperCase(), `${G}_DefaultLimit`, `${G}_DefaultPlatformRestrictions`, `T_${G}`, `A_${G}`]) expect(isGraphPolicyId(id), id).toBe(true);
    expect(isGraphGroupId(G)).toBe(true);
  });

  it('refuses dot segments, path characters and anything else', () => {
    for (const id of ['.', '..', `${G}/..`, `../${G}`, `${G}%2F..`, `${G}?$expand=x`, `${G}#`, `${G} `, `${G}_`, `${G}_a.b`, `TT_${G}`, `T_${G}_x`, 'x-1', '', 'policy-1']) {
      expect(isGraphPolicyId(id), id).toBe(false);
    }
    expect(isGraphGroupId(`T_${G}`)).toBe(false);
    expect(isGraphPolicyId(42)).toBe(false);
  });

  it('the client refuses a bad id with graph_bad_request before any request', async () => {
    const calls: string[] = [];
    const c = new GraphClient({
      settings: { graphRoot: 'https://graph.microsoft.com', tokenUrl: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', clientId: 'c', secretRef: 'local:x' },
      secrets: new LocalSecretResolver(), fetch: (async (u: string) => { calls.push(String(u)); return Response.json({}); }) as unknown as typeof fetch,
    });
    for (const id of ['..', '.', `${G}/../../groups`]) {
      const err = await c.getPolicy('deviceConfigurations', id).catch((e) => e);
      expect(err).toMatchObject({ code: 'graph_bad_request', status: 400 });
      await expect(c.writePolicy('deviceConfigurations', id, { content: {} })).rejects.toMatchObject({ code: 'graph_bad_request' });
    }
    expect(calls).toEqual([]);
  });
});

describe('Graph roots and token hosts', () => {
  it('allows the global service and the national clouds (and loopback for the simulator)', () => {
    for (const root of ['https://graph.microsoft.com', 'https://graph.microsoft.us/', 'https://dod-graph.microsoft.us', 'https://microsoftgraph.chinacloudapi.cn', 'http://127.0.0.1:3001/graph/contoso']) expect(() => checkGraphRoot(root), root).not.toThrow();
    for (const url of ['https://login.microsoftonline.com/t/oauth2/v2.0/token', 'https://login.microsoftonline.us/t/oauth2/v2.0/token', 'https://login.chinacloudapi.cn/t/oauth2/v2.0/token']) expect(() => checkTokenUrl(url), url).not.toThrow();
    expect(defaultScope('https://graph.microsoft.us')).toBe('https://graph.microsoft.us/.default');
  });

  it('refuses any other host, plain http, credentials in the URL and versioned roots', () => {
    for (const root of ['https://graph.microsoft.com.evil.example', 'http://graph.microsoft.com', 'https://evil.example', 'https://graph.microsoft.com/v1.0', 'https://user:pw@graph.microsoft.com', 'not a url']) {
      expect(() => checkGraphRoot(root), root).toThrow(/Graph root/);
    }
    for (const url of ['https://login.evil.example/t/oauth2/v2.0/token', 'http://login.microsoftonline.com/t/oauth2/v2.0/token', 'https://login.microsoftonline.com.evil.example/x', 'https://login.microsoftonline.com:8443/t']) {
      expect(() => checkTokenUrl(url), url).toThrow(/login host/);
    }
  });

  it('a client for a non-Microsoft token endpoint is never built, so the secret never leaves', () => {
    expect(() => new GraphClient({ settings: { graphRoot: 'https://graph.microsoft.com', tokenUrl: 'https://collector.example/token', clientId: 'c', secretRef: 'local:x' }, secrets: new LocalSecretResolver() }))
      .toThrow(expect.objectContaining({ code: 'graph_auth_failed' }));
  });

  it('reads a stored row of the old shape (baseUrl …/v1.0) as its root', () => {
    const c = new GraphClient({ settings: { baseUrl: 'https://graph.microsoft.com/v1.0', tokenUrl: 'https://login.microsoftonline.com/t/oauth2/v2.0/token', clientId: 'c', secretRef: 'local:x' }, secrets: new LocalSecretResolver() });
    expect(c.graphRoot).toBe('https://graph.microsoft.com');
  });
});
