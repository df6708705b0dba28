/**
 * App tokens through MSAL (issue 13 §9): client secret and certificate credentials against the
 * simulated Entra token endpoint, MSAL's cache per tenant client, the national cloud's authority.
 */
import { SignJWT, importPKCS8 } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simClientId, startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import { GraphClient, type GraphClientOptions } from '../../shared/graph/client.js';
import { tokenAuthority } from '../../shared/graph/clouds.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { InvalidCredentialError, LocalSecretResolver, parseCredential } from '../../shared/graph/secrets.js';
import { sanitizeText } from '../../shared/runs/sanitize.js';
import { selfSignedCertificate, type TestCertificate } from '../support/self-signed-cert.js';

let sim: GraphSim;
let cert: TestCertificate;
beforeAll(async () => {
  cert = selfSignedCertificate();
  sim = await startGraphSim({ port: 0, latencyMs: 0, pageSize: 5, tenantLimit: null });
  sim.registerCertificate('contoso', cert.certificatePem);
});
afterAll(async () => { await sim.stop(); });
beforeEach(() => { sim.requests.length = 0; });

const tokenPosts = () => sim.requests.filter((r) => r.version === null);

function client(tenant: string, secret: string, over: Partial<GraphClientOptions> = {}) {
  return new GraphClient({ settings: sim.settingsFor(tenant), secrets: new LocalSecretResolver({ 'graph-sim': secret }), appTokens: msalAppTokens, sleep: async () => undefined, ...over });
}

/** A fetch that records what is sent and forwards it. */
function recording() {
  const sent: Array<{ url: string; body: string }> = [];
  const f = (async (url: string | URL | Request, init?: RequestInit) => {
    sent.push({ url: String(url), body: typeof init?.body === 'string' ? init.body : '' });
    return fetch(url, init);
  }) as typeof fetch;
  return { f, sent };
}

describe('app tokens through MSAL', () => {
  it('a client secret (plain or as {"clientSecret"}) gets one token for many calls', async () => {
    for (const secret of ['local-sim-secret', JSON.stringify({ clientSecret: 'local-sim-secret' })]) {
      sim.requests.length = 0;
      const c = client('contoso', secret);
      await Promise.all([c.listGroups(), c.listPolicies('deviceConfigurations'), c.listPolicies('configurationPolicies')]);
      for (let i = 0; i < 5; i++) await c.listGroups();
      expect(tokenPosts()).toHaveLength(1);
    }
  });

  it('a certificate credential signs a client assertion the token endpoint verifies; the key is never sent or logged', async () => {
    const { f, sent } = recording();
    const c = client('contoso', cert.credentialJson, { fetch: f });
    const page = await c.listPolicies('deviceConfigurations');
    expect(page.items.length).toBeGreaterThan(0);
    const tokenBody = new URLSearchParams(sent.find((s) => s.url.includes('/oauth2/'))!.body);
    expect(tokenBody.get('client_secret')).toBeNull();
    expect(tokenBody.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(tokenBody.get('scope')).toBe('https://graph.microsoft.com/.default');
    const body = sent.map((s) => s.body).join('\n');
    expect(body).not.toContain(cert.privateKeyPem.split('\n')[1]);
    // The private key and the assertion are registered with the sanitizer.
    expect(sanitizeText(`key ${cert.privateKeyPem}`)).not.toContain('PRIVATE KEY-----\nMII');
    expect(sanitizeText(`assertion ${tokenBody.get('client_assertion')}`)).toBe('assertion [REDACTED]');
  });

  it('a certificate the app is not registered with, and a wrong secret, are graph_auth_failed with Entra\'s reason', async () => {
    const stranger = selfSignedCertificate();
    const err = await client('fabrikam', stranger.credentialJson).listGroups().catch((e) => e);
    expect(err).toMatchObject({ code: 'graph_auth_failed' });
    expect(err.message).toContain('AADSTS700027');
    const wrong = await client('contoso', 'not-the-sim-secret').listGroups().catch((e) => e);
    expect(wrong).toMatchObject({ code: 'graph_auth_failed' });
    expect(wrong.message).toContain('AADSTS7000215');
    expect(wrong.message).not.toContain('not-the-sim-secret');
  });

  it('per-tenant clients keep separate caches: each tenant gets its own token, valid only there', async () => {
    const contoso = client('contoso', 'local-sim-secret');
    const fabrikam = client('fabrikam', 'local-sim-secret');
    await contoso.listGroups();
    await fabrikam.listGroups();
    await contoso.listGroups();
    await fabrikam.listGroups();
    expect(tokenPosts().map((r) => r.tenantId)).toEqual(['contoso', 'fabrikam']);
  });

  it('a token inside MSAL\'s 5-minute renewal window is fetched again', async () => {
    const short = await startGraphSim({ port: 0, latencyMs: 0, tokenLifetimeSeconds: 200, tenantLimit: null });
    try {
      const c = new GraphClient({ settings: short.settingsFor('contoso'), secrets: new LocalSecretResolver(), appTokens: msalAppTokens });
      await c.listGroups();
      await c.listGroups();
      expect(short.requests.filter((r) => r.version === null)).toHaveLength(2);
    } finally {
      await short.stop();
    }
  });

  it('uses the national cloud\'s login host as the authority and its Graph root as the scope, with no discovery request', async () => {
    const tenant = '3f1c1b0e-8a52-4c1e-9d0b-2a3c4d5e6f70';
    const sent: Array<{ url: string; body: string }> = [];
    const f = (async (url: string | URL | Request, init?: RequestInit) => {
      sent.push({ url: String(url), body: String(init?.body ?? '') });
      return String(url).includes('/oauth2/') ? Response.json({ token_type: 'Bearer', access_token: 'fake-us-gov-token-123', expires_in: 3599 }) : Response.json({ value: [] });
    }) as typeof fetch;
    const settings = { graphRoot: 'https://graph.microsoft.us', tokenUrl: `https://login.microsoftonline.us/${tenant}/oauth2/v2.0/token`, clientId: 'app', secretRef: 'local:x' };
    await new GraphClient({ settings, secrets: new LocalSecretResolver(), appTokens: msalAppTokens, fetch: f }).listGroups();
    expect(sent.map((s) => s.url.split('?')[0])).toEqual([`https://login.microsoftonline.us/${tenant}/oauth2/v2.0/token`, 'https://graph.microsoft.us/v1.0/groups']);
    expect(new URLSearchParams(sent[0].body).get('scope')).toBe('https://graph.microsoft.us/.default');
    expect(tokenAuthority('https://dod-graph.microsoft.us', `https://login.microsoftonline.us/${tenant}/oauth2/v2.0/token`).authority).toBe(`https://login.microsoftonline.us/${tenant}`);
    expect(tokenAuthority('https://microsoftgraph.chinacloudapi.cn', `https://login.chinacloudapi.cn/${tenant}/oauth2/v2.0/token`).authority).toBe(`https://login.chinacloudapi.cn/${tenant}`);
    // The simulator stands in for the global cloud's login host.
    expect(tokenAuthority(`${sim.url}/graph/contoso`, `${sim.url}/contoso/oauth2/v2.0/token`)).toMatchObject({ authority: 'https://login.microsoftonline.com/contoso', loopbackOrigin: sim.url });
  });

  it('refuses a token endpoint on another cloud than the Graph root, or a multi-tenant alias', async () => {
    const other = { graphRoot: 'https://graph.microsoft.us', tokenUrl: 'https://login.microsoftonline.com/t1/oauth2/v2.0/token', clientId: 'app', secretRef: 'local:x' };
    const calls: string[] = [];
    const f = (async (u: string) => { calls.push(String(u)); return Response.json({}); }) as unknown as typeof fetch;
    await expect(new GraphClient({ settings: other, secrets: new LocalSecretResolver(), appTokens: msalAppTokens, fetch: f }).listGroups()).rejects.toMatchObject({ code: 'graph_auth_failed' });
    expect(() => tokenAuthority('https://graph.microsoft.com', 'https://login.microsoftonline.com/common/oauth2/v2.0/token')).toThrow(expect.objectContaining({ code: 'graph_auth_failed' }));
    expect(calls).toEqual([]);
  });

  it('a client without a token source makes delegated calls only', async () => {
    const c = new GraphClient({ settings: sim.settingsFor('contoso'), secrets: new LocalSecretResolver() });
    await expect(c.listGroups()).rejects.toMatchObject({ code: 'graph_auth_failed' });
    await expect(c.searchGroups('sales', sim.delegatedToken('contoso'))).resolves.toBeInstanceOf(Array);
  });
});

describe('the simulated token endpoint checks client assertions', () => {
  const endpoint = () => `${sim.url}/contoso/oauth2/v2.0/token`;
  async function assertion(claims: { aud?: string; exp?: number }) {
    const key = await importPKCS8(cert.privateKeyPem, 'PS256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'PS256', 'x5t#S256': Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url') })
      .setIssuer(simClientId('contoso')).setSubject(simClientId('contoso'))
      .setAudience(claims.aud ?? 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token')
      .setIssuedAt(now - 1200).setNotBefore(now - 1200).setExpirationTime(claims.exp ?? now + 600)
      .sign(key);
  }
  const post = async (jwt: string) => {
    const res = await fetch(endpoint(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: simClientId('contoso'), scope: 'https://graph.microsoft.com/.default', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt }) });
    return { status: res.status, body: (await res.json()) as { error?: string; error_description?: string; access_token?: string } };
  };

  it('accepts a valid one, and answers invalid_client to an expired one or one for another audience', async () => {
    expect((await post(await assertion({}))).body.access_token).toBeTruthy();
    const expired = await post(await assertion({ exp: Math.floor(Date.now() / 1000) - 600 })); // past the 5-minute skew
    expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(expired.body.error_description).toContain('AADSTS700024');
    const audience = await post(await assertion({ aud: 'https://login.microsoftonline.com/fabrikam/oauth2/v2.0/token' }));
    expect(audience).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(audience.body.error_description).toContain('audience');
    const tampered = (await assertion({})).replace(/\.[^.]+$/, '.AAAA');
    expect((await post(tampered)).body.error).toBe('invalid_client');
  });
});

describe('stored credentials', () => {
  it('parses a client secret (JSON or plain) and a certificate, and refuses anything else without quoting it', () => {
    expect(parseCredential('r', 'plain-secret-value')).toEqual({ kind: 'secret', clientSecret: 'plain-secret-value' });
    expect(parseCredential('r', '{"clientSecret":"json-secret-value"}')).toEqual({ kind: 'secret', clientSecret: 'json-secret-value' });
    expect(parseCredential('r', cert.credentialJson)).toMatchObject({ kind: 'certificate', thumbprintSha256: cert.thumbprintSha256 });
    for (const bad of ['{"clientSecret":""}', '{"certificatePem":"x","privateKeyPem":"y","thumbprintSha256":"z"}', '{not json secret-in-here', '{"clientSecret":"a-secret-1","privateKeyPem":"k"}']) {
      let err: unknown;
      try { parseCredential('r', bad); } catch (e) { err = e; }
      expect(err, bad).toBeInstanceOf(InvalidCredentialError);
      expect((err as Error).message).not.toContain('secret-in-here');
    }
  });
});
