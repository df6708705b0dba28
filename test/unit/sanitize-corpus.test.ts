/**
 * Issue 15, item 4: the sanitizer against a seeded corpus of real-format secrets — each in every
 * carrier — and of real-format benign values. No secret may survive, not even an 8-character stretch
 * of its distinctive part (looked for in the output as it is and as the carrier decodes it); no benign
 * value may change.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeText } from '../../shared/runs/sanitize.js';
import { benignCorpus, CARRIERS, SECRET_FAMILIES, secretCorpus, type SecretSample } from '../support/secret-corpus.js';

const SECRETS = 10_500;
const BENIGN = 11_000;
const WINDOW = 8;

/** The output as each layer of encoding a carrier may add would read it. */
function views(out: string): string[] {
  const vs = [out];
  let pct = out;
  for (let i = 0; i < 2; i++) {
    pct = pct.replace(/\+/g, ' ').replace(/%[0-9A-Fa-f]{2}/g, (m) => { try { return decodeURIComponent(m); } catch { return m; } });
    vs.push(pct);
  }
  let js = out;
  for (let i = 0; i < 3; i++) {
    js = js.replace(/\\(["\\/nrt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
    vs.push(js);
  }
  return vs;
}

const ownViews = new Map<(t: string) => string, string[]>();

/** The first 8-character stretch of the secret's core found in the output (and not in the carrier's own text), or null. */
function leak(secret: SecretSample, carrier: (t: string) => string, out: string): string | null {
  const seen = views(out);
  const own = ownViews.get(carrier) ?? ownViews.set(carrier, views(carrier(''))).get(carrier)!;
  const core = secret.core;
  for (let i = 0; i + WINDOW <= core.length; i++) {
    const w = core.slice(i, i + WINDOW);
    if (seen.some((v) => v.includes(w)) && !own.some((v) => v.includes(w))) return w;
  }
  return null;
}

describe('the sanitizer against the corpus (SC-004, issue 15)', () => {
  it(`no secret of ${Object.keys(SECRET_FAMILIES).length} families survives any of ${Object.keys(CARRIERS).length} carriers`, () => {
    const corpus = secretCorpus(SECRETS);
    let n = 0;
    const leaked: string[] = [];
    const perFamily = new Map<string, number>();
    for (const secret of corpus) {
      for (const [name, carrier] of Object.entries(CARRIERS)) {
        n++;
        const out = sanitizeText(carrier(secret.text));
        const w = leak(secret, carrier, out);
        if (w) {
          perFamily.set(secret.kind, (perFamily.get(secret.kind) ?? 0) + 1);
          if (leaked.length < 10) leaked.push(`${secret.kind} in ${name}: "${w}" survived in ${out}`);
        }
      }
    }
    console.log(`sanitizer corpus: ${leaked.length ? [...perFamily.values()].reduce((a, b) => a + b) : 0} leaked / ${n} (${corpus.length} secrets × ${Object.keys(CARRIERS).length} carriers)`);
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(leaked, `${[...perFamily].map(([k, v]) => `${k}: ${v}`).join(', ')}\n${leaked.join('\n')}`).toEqual([]);
  }, 60_000);

  it('is idempotent: sanitizing a sanitized text changes nothing (stored entries are published as they are)', () => {
    const corpus = secretCorpus(SECRETS).slice(0, 2_000);
    const changed: string[] = [];
    for (const secret of corpus) {
      for (const [name, carrier] of Object.entries(CARRIERS)) {
        const once = sanitizeText(carrier(secret.text));
        const twice = sanitizeText(once);
        if (twice !== once && changed.push(`${secret.kind} in ${name}: ${once} → ${twice}`) > 10) break;
      }
    }
    expect(changed).toEqual([]);
  });

  it('no benign value changes, alone, in a sentence or in JSON', () => {
    const corpus = benignCorpus(BENIGN);
    const altered: string[] = [];
    for (const { kind, value } of corpus) {
      for (const text of [value, `could not sync ${value} (retrying)`, JSON.stringify({ id: value, at: '2026-11-27T10:00:00Z' })]) {
        const out = sanitizeText(text);
        if (out !== text && altered.push(`${kind}: ${text} → ${out}`) > 20) break;
      }
    }
    console.log(`sanitizer corpus: ${altered.length} altered / ${corpus.length} benign values (each alone, in a sentence and in JSON)`);
    expect(corpus.length).toBeGreaterThanOrEqual(10_000);
    expect(altered.slice(0, 20)).toEqual([]);
  });

  it('the leak check finds a stretch that is there (the check can fail)', () => {
    const s: SecretSample = { kind: 'x', text: 'abc1Q~zzzzyyyyxxxxwwwwvvvvuuuuttttssssrr', core: 'abc1Q~zzzzyyyyxxxxwwwwvvvvuuuuttttssssrr' };
    expect(leak(s, CARRIERS.sentence, CARRIERS.sentence('[REDACTED]xxxxwwww'))).toBe('xxxxwwww');
    expect(leak(s, CARRIERS['form body'], CARRIERS['form body']('[REDACTED]c1Q~zzzz'))).toBe('c1Q~zzzz'); // only the decoded view shows it
    expect(leak(s, CARRIERS.sentence, CARRIERS.sentence('[REDACTED]'))).toBeNull();
  });
});
