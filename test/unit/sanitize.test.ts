import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sanitizeText, sanitizeValue } from '../../shared/runs/sanitize.js';

const b64url = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('')), minLength: 12, maxLength: 60 });
const secretChars = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!$%*+-_~'.split('')), minLength: 8, maxLength: 40 });
const words = fc.array(fc.constantFrom('policy', 'sync', 'failed', 'for', 'tenant', 'contoso', 'deviceConfigurations', 'Graph', 'answered', '403', 'item', 'the', 'at', 'page', '2'), { minLength: 0, maxLength: 8 }).map((w) => w.join(' '));

/** Each generator gives [text containing a secret, the secret value that must not survive]. */
const secrets = fc.oneof(
  b64url.map((s) => [`Authorization: Bearer ${s}`, s] as const),
  b64url.map((s) => [`bearer ${s}`, s] as const),
  fc.tuple(b64url, b64url, b64url).map(([a, b, c]) => { const jwt = `eyJ${a}.eyJ${b}.${c}`; return [`token ${jwt}`, jwt] as const; }),
  secretChars.map((s) => [`client_secret=${s}&grant_type=client_credentials`, s] as const),
  secretChars.map((s) => [`password=${s}`, s] as const),
  secretChars.map((s) => [`{"password":"${s}"}`, s] as const),
  b64url.map((s) => [`https://acct.blob.core.windows.net/c/b?sv=2022-11-02&sig=${s}&se=2030`, s] as const),
  fc.tuple(b64url, b64url).map(([a, b]) => { const body = `MII${a}${b}`; return [`-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----`, body] as const; }),
  fc.tuple(b64url, b64url).map(([a, b]) => { const key = `MII${a}${b}`; return [`-----BEGIN RSA PRIVATE KEY-----\n${key}\n-----END RSA PRIVATE KEY-----`, key] as const; }),
  fc.stringMatching(/^[A-Za-z0-9]{40,64}$/).filter((s) => /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s))
    // Known gap (stop note): an unlabelled random run that is over 80 % one letter case is left alone by
    // the heuristic, so that words and constants are never touched (about 1 in 10,000 random 40–64 char runs).
    .filter((s) => { const up = s.replace(/[^A-Z]/g, '').length; const lo = s.replace(/[^a-z]/g, '').length; const r = up / (up + lo); return r >= 0.2 && r <= 0.8; }).map((s) => [`key ${s} leaked`, s] as const),
);

describe('the sanitizer', () => {
  it('removes generated secrets wherever they appear in ordinary text', () => {
    fc.assert(
      fc.property(words, secrets, words, (before, [secret, value], after) => {
        const out = sanitizeText(`${before} ${secret} ${after}`);
        expect(out).not.toContain(value);
        expect(out).toContain('[REDACTED]');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps ordinary text unchanged', () => {
    fc.assert(
      fc.property(words, (text) => {
        expect(sanitizeText(text)).toBe(text);
      }),
    );
    for (const s of [
      'Graph answered 403 for deviceConfigurations/0f8fad5b-d9cb-469f-a165-70867728950e',
      'Inventory sync partially succeeded — 2 of 42 items failed',
      'run 01JH7Z9W3K8Q4V2N6B5C1D0EFG completed in 3360 ms',
      'https://graph.microsoft.com/v1.0/deviceManagement/deviceConfigurations?$top=100',
    ]) expect(sanitizeText(s)).toBe(s);
  });

  it('redacts values under credential-like keys in structures, deeply', () => {
    const out = sanitizeValue({ a: { password: 'FAKE-pw-123', list: [{ client_secret: 'FAKE-secret' }], note: 'Bearer FAKEFAKEFAKEFAKE123' }, ok: 'hello' });
    expect(JSON.stringify(out)).not.toMatch(/FAKE/);
    expect(out.ok).toBe('hello');
  });

  it('does not let a __proto__ key change the prototype of the sanitized copy', () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
    const out = sanitizeValue(input) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
