import { createHash } from 'node:crypto';

/** Canonical JSON: keys sorted at every level, so equal identities hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 hex of an input's identity (its type's `identity(input)`, SPEC §2 "active run key"). */
export function identityHash(identity: unknown): string {
  return createHash('sha256').update(canonicalJson(identity)).digest('hex');
}
