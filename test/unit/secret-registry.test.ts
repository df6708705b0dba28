/**
 * Issue 15, item 1: the secrets this process holds are registered as they arrive and redacted
 * exactly, in every form they may take in text.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSecretRegistry, MAX_SECRETS, registerSecret, registeredSecretCount } from '../../shared/runs/secret-registry.js';
import { sanitizeText } from '../../shared/runs/sanitize.js';
import { LocalSecretResolver } from '../../shared/graph/secrets.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { GraphClient } from '../../shared/graph/client.js';
import { decodeCursor } from '../../shared/store/cursor.js';
import { resetCursorKey } from '../../shared/store/cursor-key.js';
import { resetSettings } from '../../shared/settings.js';

beforeEach(() => clearSecretRegistry());

// Deliberately plain (lower-case words): no format rule would catch it; only the registry can.
const SECRET = 'plain "words" and \\ such';

describe('the secret registry', () => {
  it('a registered secret is redacted raw, URL- and form-encoded, JSON-escaped and base64-encoded', () => {
    const forms = [
      SECRET,
      encodeURIComponent(SECRET),
      new URLSearchParams({ v: SECRET }).toString().slice(2),
      JSON.stringify(SECRET).slice(1, -1),
      JSON.stringify(JSON.stringify(SECRET)).slice(1, -1),
      Buffer.from(SECRET).toString('base64'),
      Buffer.from(SECRET).toString('base64url'),
      Buffer.from(`admin:${SECRET}`).toString('base64'), // Basic credentials: the secret at another byte alignment
      Buffer.from(`a:${SECRET}`).toString('base64url'),
    ];
    // Before registration nothing redacts it: the registry is what makes the difference.
    for (const f of forms.slice(0, 5)) expect(sanitizeText(`seen: ${f} here`)).toBe(`seen: ${f} here`);
    registerSecret(SECRET);
    for (const f of forms) {
      const out = sanitizeText(`seen: ${f} here`);
      expect(out, f).toContain('[REDACTED]');
      expect(out, f).not.toContain(f.slice(12, 20)); // not even the middle of the form survives
      expect(out).toMatch(/^seen: .*here$/); // the text around it stays
    }
  });

  it('ignores short values and stays bounded, dropping the least recently registered', () => {
    registerSecret('short');
    expect(registeredSecretCount()).toBe(0);
    expect(sanitizeText('a short note')).toBe('a short note');
    for (let i = 0; i < MAX_SECRETS + 10; i++) registerSecret(`value-number-${i}-xyz`);
    expect(registeredSecretCount()).toBe(MAX_SECRETS);
    expect(sanitizeText('value-number-0-xyz')).toBe('value-number-0-xyz'); // dropped
    expect(sanitizeText(`value-number-${MAX_SECRETS + 9}-xyz`)).toBe('[REDACTED]');
  });

  it('Graph client secrets are registered when resolved, and app tokens when obtained', async () => {
    const clientSecret = 'tenant graph app secret value';
    const resolver = new LocalSecretResolver({ app: clientSecret }, null);
    const token = 'opaque app token from the endpoint';
    const fetchFn = (async (url: string | URL | Request) =>
      String(url).includes('/oauth2/') ? Response.json({ access_token: token, expires_in: 3600 }) : Response.json({ value: [] })) as typeof fetch;
    const c = new GraphClient({ settings: { clientId: 'c', secretRef: 'local:app', tokenUrl: 'https://login.microsoftonline.com/contoso.example/oauth2/v2.0/token', graphRoot: 'https://graph.microsoft.com' }, secrets: resolver, appTokens: msalAppTokens, fetch: fetchFn, sleep: async () => undefined });
    expect(sanitizeText(`${clientSecret} / ${token}`)).toBe(`${clientSecret} / ${token}`);
    await c.listGroups();
    expect(sanitizeText(`${clientSecret} / ${token}`)).toBe('[REDACTED] / [REDACTED]');
  });

  it('the cursor signing key is registered when used', () => {
    const before = process.env.CURSOR_SECRET;
    process.env.CURSOR_SECRET = 'cursor signing key for the test';
    resetSettings(); // an earlier test may have read the settings already: read this key
    resetCursorKey();
    try {
      expect(() => decodeCursor('s', 'e30.AAAAAAAAAAAAAAAAAAAAAA')).toThrow();
      expect(sanitizeText('key: cursor signing key for the test')).toBe('key: [REDACTED]');
    } finally {
      if (before === undefined) delete process.env.CURSOR_SECRET; else process.env.CURSOR_SECRET = before;
      resetSettings();
      resetCursorKey();
    }
  });
});
