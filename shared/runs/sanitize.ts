/**
 * The sanitizer (SPEC §9): the one function every failure message, stored input and log line
 * passes through. It redacts what looks like a credential and keeps ordinary text readable.
 */
const REDACTED = '[REDACTED]';

const PATTERNS: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // PEM private keys (whole block, or a dangling header with what follows on the line).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // Authorization header values of any scheme.
  [/(\bauthorization\b["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|digest|negotiate|sharedkey)\s+)?[^\s"',;]+/gi, `$1${REDACTED}`],
  // Bearer tokens anywhere.
  [/\bbearer\s+[A-Za-z0-9\-._~+/]+=*/gi, `Bearer ${REDACTED}`],
  // JWTs (three base64url segments, the first starting with eyJ).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // key=value and "key": "value" credentials: client_secret, password, api keys, tokens, SAS sig.
  [
    /(["']?\b(?:client[_-]?secret|secret|password|passwd|pwd|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|sig|signature|x-amz-signature|x-amz-security-token|x-amz-credential|code|assertion|client[_-]?assertion|sharedaccesskey|accountkey)\b["']?\s*[=:]\s*["']?)([^\s&"',;}]+)/gi,
    `$1${REDACTED}`,
  ],
  // Long high-entropy strings (base64/hex-like runs of 32+ chars mixing character classes).
  // Paths (a/b/c) are judged per segment, so a Graph path with a GUID stays readable.
  [/[A-Za-z0-9+/_=-]{32,}/g, (m: string) =>
    m.includes('/')
      ? m.split('/').map((seg) => (seg.length >= 16 && looksRandom(seg) ? REDACTED : seg)).join('/')
      : looksRandom(m) ? REDACTED : m],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function looksRandom(s: string): boolean {
  if (UUID.test(s)) return false; // Graph object ids are GUIDs: ordinary, not secret
  if (/^[0-9a-f]{32,}$/i.test(s) && /[0-9]/.test(s) && /[a-f]/i.test(s)) return true; // hex secret
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(s)).length;
  // camelCase words (deviceCompliancePolicies) have two classes; generated secrets of this length have digits too.
  if (classes < (s.length >= 40 ? 2 : 3)) return false;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / s.length) * Math.log2(n / s.length);
  return entropy >= 3.5;
}

export function sanitizeText(text: string): string {
  let out = text;
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep as never);
  return out;
}

/** Deep-sanitizes a JSON value: strings pass the sanitizer; values under credential-like keys are redacted. */
export function sanitizeValue<T>(value: T): T {
  return walk(value) as T;
}

const SECRET_KEY = /^(?:authorization|client[_-]?secret|secret|password|passwd|pwd|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|token|private[_-]?key|sig|signature|x-graph-delegated-token)$/i;

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
