/** Content hashes that decide "changed or not": canonical JSON, so key order never matters. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../runs/identity.js';

export const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

// Graph bumps these on every write, even a no-op one; they are not the policy's content.
const VOLATILE = new Set(['lastModifiedDateTime', 'version', '@odata.context', '@odata.etag']);

/** The policy's content hash: its settings and its assignment targets (assignment ids are Graph's, not ours). */
export function policyContentHash(content: Record<string, unknown>, assignments: Array<{ target?: unknown }>): string {
  const settings = Object.fromEntries(Object.entries(content).filter(([k]) => !VOLATILE.has(k)));
  const targets = assignments.map((a) => canonicalJson(a.target ?? null)).sort();
  return sha256({ settings, targets });
}
