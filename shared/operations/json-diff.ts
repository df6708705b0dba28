/**
 * Changed JSON paths between two policy snapshots (drift findings, restore diffs). Pure.
 * Paths read like `settings[0].value` or `assignments[1].target.groupId`.
 */
import { canonicalJson } from '../runs/identity.js';

// Graph bumps or owns these on every write; they are not the policy's configuration.
const VOLATILE = new Set(['id', 'createdDateTime', 'lastModifiedDateTime', 'version', '@odata.context', '@odata.etag']);

export interface PolicySnapshot {
  content: Record<string, unknown>;
  assignments: readonly unknown[];
}

/** The comparable shape of a policy: its settings and its assignment targets in a stable order. */
export function comparable(p: PolicySnapshot): Record<string, unknown> {
  const settings = Object.fromEntries(Object.entries(p.content).filter(([k]) => !VOLATILE.has(k)));
  const targets = p.assignments.map((a) => (a as { target?: unknown } | null)?.target ?? null).sort((a, b) => (canonicalJson(a) < canonicalJson(b) ? -1 : 1));
  return { ...settings, assignments: targets.map((target) => ({ target })) };
}

export function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) out.push(...changedPaths(before[i], after[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const out: string[] = [];
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      out.push(...changedPaths(before[k], after[k], path ? `${path}.${k}` : k));
    }
    return out;
  }
  return [path || '$'];
}

/** The paths where two policy snapshots differ (empty: the same configuration). */
export const policyDiff = (before: PolicySnapshot, after: PolicySnapshot) => changedPaths(comparable(before), comparable(after));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
