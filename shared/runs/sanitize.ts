/**
 * The sanitizer (SPEC §9): the one function every failure message, stored input and log line
 * passes through. Two layers (issue 15):
 *  1. exact: every secret this process holds is registered as it arrives (./secret-registry.ts) and
 *     replaced wherever it shows up, also URL-encoded, JSON-escaped or base64-encoded;
 *  2. formats: credentials we don't hold (quoted by a Graph error, pasted by a user) are recognised by
 *     their format or by the key they sit under — Entra client secrets, JWTs, bearer/basic
 *     credentials, AWS key ids, secret keys and session tokens, Azure storage keys, SAS signatures and
 *     connection strings, URL userinfo, cookies, PEM private keys, and key/value credentials (quoted
 *     values may hold spaces) at any JSON escaping depth. Percent-encoded stretches are decoded, judged
 *     and re-encoded, so a credential inside a URL or a form body is found too.
 * The rules are written after the formats that the gitleaks rule set documents. Benign values never
 * change: GUIDs, composite Graph ids (`T_<guid>`, `<guid>_<Name>`), settings-catalog ids, OData
 * types, Graph paths, ULIDs and timestamps (test/unit/sanitize-corpus.test.ts proves both sides).
 */
import { redactRegistered } from './secret-registry.js';

const REDACTED = '[REDACTED]';

/** A rule: pattern, replacement, and a lower-case needle without which the pattern cannot match (a cheap skip). */
type Rule = [RegExp, string | ((...m: string[]) => string), string?];

/** Key names whose value is a credential (matched case-insensitively, `_`/`-` optional between words). */
const CREDENTIAL_KEYS = [
  'client[_-]?secret', 'secret', 'password', 'passwd', 'pwd', 'passphrase', 'pass',
  'api[_-]?key', 'apikey', 'access[_-]?key', 'secret[_-]?key', 'private[_-]?key', 'account[_-]?key', 'shared[_-]?access[_-]?key',
  'access[_-]?token', 'refresh[_-]?token', 'id[_-]?token', 'token', 'auth[_-]?token',
  '(?:aws[_-]?)?secret[_-]?access[_-]?key', '(?:aws[_-]?)?session[_-]?token', 'security[_-]?token', 'x-amz-security-token',
  'x-amz-signature', 'x-amz-credential', 'sig', 'signature', 'assertion', 'client[_-]?assertion',
  'x-graph-delegated-token', 'credentials?', 'connection[_-]?string',
].join('|');

/** A quoted value: the opening quote with its escaping backslashes, then up to the same closing quote. */
const QUOTED = String.raw`(?<bs>\\*)(?<q>["'])(?:(?!(?<!\\)\k<bs>\k<q>)[\s\S])*?(?<!\\)\k<bs>\k<q>`;
/** An unquoted value: up to whitespace, a separator, a quote or an escape. */
const BARE = String.raw`[^\s&"',;}\]\\<>]+`;
/** What may follow an earlier `[REDACTED]` inside one value: a period only inside it, not ending a sentence. */
const BARE_REST = String.raw`(?:[^\s&"',;}\]\\<>.]|\.(?=[^\s&"',;}\]\\<>]))*`;
const KEY_VALUE = new RegExp(
  // A value already redacted (by an earlier rule or an earlier pass) is taken whole, with whatever
  // follows it up to a delimiter: sanitizing is idempotent and `password=[REDACTED]` stays as it is.
  String.raw`((?:\\*["'])?\b(?:${CREDENTIAL_KEYS})\b(?:\\*["'])?\s*[:=]\s*)(?:${QUOTED}|\[REDACTED\]${BARE_REST}|${BARE})`,
  'gi',
);

const RULES: Rule[] = [
  // PEM private keys (RSA, EC, OPENSSH, ENCRYPTED, PGP …): the whole block, or a dangling header and all after it.
  [/-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END \1-----|$)/g, REDACTED, '-----begin'],
  // Authorization header values of any scheme.
  [/(\bauthorization\b(?:\\*["'])?\s*[:=]\s*(?:\\*["'])?)(?:(?:bearer|basic|digest|negotiate|sharedkey|pop)\s+)?[^\s"',;\\]+/gi, `$1${REDACTED}`, 'authorization'],
  // Cookie / Set-Cookie header values: everything up to the end of the line (or of the JSON string).
  [/(\b(?:set-)?cookie\b(?:\\*["'])?\s*:\s*(?:\\*["'])?)[^\r\n"\\]+/gi, `$1${REDACTED}`, 'cookie'],
  // Bearer and Basic credentials anywhere.
  [/\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`, 'bearer'],
  [/\bbasic\s+([A-Za-z0-9+/]{8,}=*)/gi, (m: string, v: string) => (/^[A-Za-z][a-z]*$/.test(v) ? m : `Basic ${REDACTED}`), 'basic'],
  // JWTs / JWEs (base64url segments, the first starting with eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*){0,3}/g, REDACTED, 'eyj'],
  // Entra ID client secrets: 3 characters, a digit, `Q~`, then 31–34 more.
  [/[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,40}/g, REDACTED, 'q~'],
  // URL userinfo: keep the user, drop the password (up to the last `@` before the path).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@?#"'\\]*:)[^\s/?#"'\\]+@/gi, `$1${REDACTED}@`, '://'],
  // Azure SAS in a connection string: the whole token up to the next `;`.
  [/(\bSharedAccessSignature(?:\\*["'])?\s*=\s*)[^\s;"'\\]+/gi, `$1${REDACTED}`, 'sharedaccesssignature'],
  // key=value and "key": "value" credentials (a quoted value may hold spaces), at any escaping depth.
  [KEY_VALUE, `$1${REDACTED}`],
  // AWS access key ids.
  [/\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g, REDACTED],
  // Azure storage account keys (64 bytes as base64: 86 characters and `==`).
  [/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/g, REDACTED, '=='],
  // Long random strings (base64/base64url runs); see looksRandom for why ids and words are spared.
  // Paths (a/b/c) are judged per segment; GUIDs inside a token (T_<guid>, <guid>_<Name>) are split off.
  [/[A-Za-z0-9+_-]{32,}=*/g, (m: string) => {
    if (!looksRandom(m)) return m;
    if (!GUID_IN.test(m)) return REDACTED;
    return m.split(/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i)
      .map((part) => (part.length >= 32 && looksRandom(part) ? REDACTED : part)).join('');
  }],
];

const GUID_IN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A generated secret mixes upper case, lower case and digits all through and has high entropy; the
 * long identifiers we handle do not: settings-catalog ids are lower case, Graph names are camelCase
 * (few capitals, each before lower case letters), GUIDs are split off before this is asked.
 */
function looksRandom(s: string): boolean {
  let upper = 0, lower = 0, digit = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
    else if (c >= 48 && c <= 57) digit++;
  }
  if (!upper || !lower || !digit) return false;
  const capitals = upper / (upper + lower);
  if (capitals < 0.2 || capitals > 0.8) return false;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / s.length) * Math.log2(n / s.length);
  return entropy >= 3.5;
}

function applyRules(text: string): string {
  let out = text;
  let lower = text.toLowerCase();
  for (const [re, rep, needle] of RULES) {
    if (needle && !lower.includes(needle)) continue;
    const next = out.replace(re, rep as never);
    if (next !== out) { out = next; lower = out.toLowerCase(); }
  }
  return out;
}

/** A stretch without whitespace or double quotes that holds at least one percent-escape. */
const ENCODED_RUN = /[^\s"<>%]*(?:%[0-9A-Fa-f]{2}[^\s"<>%]*)+/g;

function decodePercent(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/** Decodes percent-encoded stretches (twice, for a URL inside a query parameter), judges them, and re-encodes those that changed. */
function sanitizeEncoded(text: string, depth: number): string {
  if (depth > 2 || !text.includes('%')) return text;
  return text.replace(ENCODED_RUN, (run) => {
    const decoded = decodePercent(run);
    const judged = applyRules(sanitizeEncoded(decoded, depth + 1));
    return judged === decoded ? run : judged.replace(/[\s"'<>%&#+]/g, (c) => encodeURIComponent(c)).replace(/%5BREDACTED%5D/g, REDACTED);
  });
}

export function sanitizeText(text: string): string {
  return applyRules(sanitizeEncoded(redactRegistered(text, REDACTED), 0));
}

/** Deep-sanitizes a JSON value: strings pass the sanitizer; values under credential-like keys are redacted. */
export function sanitizeValue<T>(value: T): T {
  return walk(value) as T;
}

const SECRET_KEY = new RegExp(String.raw`^(?:authorization|cookie|set-cookie|${CREDENTIAL_KEYS})$`, 'i');

function walk(v: unknown): unknown {
  if (typeof v === 'string') return sanitizeText(v);
  if (Array.isArray(v)) return v.map(walk);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) {
      Object.defineProperty(out, k, {
        value: SECRET_KEY.test(k) && val != null ? REDACTED : walk(val),
        enumerable: true, writable: true, configurable: true,
      });
    }
    return out;
  }
  return v;
}
