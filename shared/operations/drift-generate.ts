/**
 * drift.generate (§3), DB only — never Graph: compare each policy's latest stored version (written by
 * policy.sync) with the baseline backup set's item for it.
 *
 *   policies phase  every live policy: not in the baseline → added; differs → modified (+ changed paths)
 *   removed phase   every baseline item whose policy is gone (no policy, or inventory marks it deleted)
 *   sweep phase     delete this baseline's findings that this run did not write (replaces the old result)
 *
 * Start check (drift-generate.definition.ts): the named baseline must exist; without one, the newest complete backup set with items
 * is the baseline (none → 422). The run's context records `baselineBackupSetId`.
 */
import { type DriftFinding } from '../store/drift-store.js';
import { add, type ChunkResult, type CountDelta, type ExecutionContext, type OperationExecutor } from './executor.js';
import { policyDiff } from './json-diff.js';
import { driftGenerateStart } from './drift-generate.definition.js';
import { defineModule } from './module.js';

type StoreKey = Record<string, string>;

export type DriftCursor =
  | { phase: 'policies'; cursor: string | null }
  | { phase: 'removed'; startKey: StoreKey | null }
  | { phase: 'sweep'; startKey: StoreKey | null };

const PAGE = 25;


const baselineOf = (ctx: ExecutionContext) => (ctx.run.context as { baselineBackupSetId: string }).baselineBackupSetId;

const executor: OperationExecutor<DriftCursor, 'drift.generate'> = {
  type: 'drift.generate',
  countNames: ['drifted', 'added', 'removed', 'modified', 'unchanged'],
  initialCursor: () => ({ phase: 'policies', cursor: null }),

  async processChunk(ctx, cursor): Promise<ChunkResult<DriftCursor>> {
    if (cursor.phase === 'policies') return comparePolicies(ctx, cursor.cursor);
    if (cursor.phase === 'removed') return findRemoved(ctx, cursor.startKey);
    return sweep(ctx, cursor.startKey);
  },
};

function finding(ctx: ExecutionContext, f: Omit<DriftFinding, 'tenantId' | 'baselineBackupSetId' | 'detectedAt' | 'runId'>): DriftFinding {
  return { ...f, tenantId: ctx.run.tenantId, baselineBackupSetId: baselineOf(ctx), detectedAt: ctx.now().toISOString(), runId: ctx.run.id };
}

/** Policy ids whose inventory item says Graph deleted them (they drift as `removed`, not as live policies). */
async function deletedInInventory(ctx: ExecutionContext, policies: Array<{ policyId: string; category: string }>): Promise<Set<string>> {
  const byCategory = new Map<string, string[]>();
  for (const p of policies) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p.policyId]);
  const deleted = new Set<string>();
  for (const [category, ids] of byCategory) {
    for (const [id, item] of await ctx.stores.inventory.getMany(ctx.run.tenantId, category, ids)) if (item.deleted) deleted.add(id);
  }
  return deleted;
}

async function comparePolicies(ctx: ExecutionContext, pageCursor: string | null): Promise<ChunkResult<DriftCursor>> {
  const { run, stores } = ctx;
  const page = await stores.policies.list(run.tenantId, { limit: PAGE, cursor: pageCursor ?? undefined });
  const deleted = await deletedInInventory(ctx, page.items);
  const live = page.items.filter((h) => !deleted.has(h.policyId));
  const baseline = await stores.backups.getItems(run.tenantId, baselineOf(ctx), live.map((h) => h.policyId));
  const counts: CountDelta = { total: live.length };
  const findings: DriftFinding[] = [];
  for (const head of live) {
    add(counts, 'processed');
    add(counts, 'succeeded');
    const [latest] = await stores.policies.versions(run.tenantId, head.policyId, 1);
    const base = baseline.get(head.policyId);
    const common = { policyId: head.policyId, category: head.category, displayName: head.displayName, policyVersion: latest?.version ?? head.latestVersion };
    if (!base) {
      findings.push(finding(ctx, { ...common, kind: 'added', changedPaths: [] }));
      add(counts, 'added');
      continue;
    }
    const paths = latest ? policyDiff(base, latest) : [];
    if (paths.length === 0) {
      add(counts, 'unchanged');
      continue;
    }
    findings.push(finding(ctx, { ...common, kind: 'modified', changedPaths: paths }));
    add(counts, 'modified');
  }
  await stores.drift.putMany(findings);
  add(counts, 'drifted', findings.length);
  const next: DriftCursor = page.nextCursor ? { phase: 'policies', cursor: page.nextCursor } : { phase: 'removed', startKey: null };
  return { cursor: next, done: false, counts };
}

async function findRemoved(ctx: ExecutionContext, startKey: StoreKey | null): Promise<ChunkResult<DriftCursor>> {
  const { run, stores } = ctx;
  const { items, lastKey } = await stores.backups.pageOfItems(run.tenantId, baselineOf(ctx), startKey, PAGE);
  const heads = await stores.policies.getHeads(run.tenantId, items.map((i) => i.policyId));
  const deleted = await deletedInInventory(ctx, items.filter((i) => heads.has(i.policyId)));
  const gone = items.filter((i) => !heads.has(i.policyId) || deleted.has(i.policyId));
  const findings = gone.map((i) => finding(ctx, { policyId: i.policyId, category: i.category, displayName: i.displayName, kind: 'removed', changedPaths: [], policyVersion: null }));
  await stores.drift.putMany(findings);
  const n = findings.length;
  const counts: CountDelta = { total: n, processed: n, succeeded: n, removed: n, drifted: n };
  return { cursor: lastKey ? { phase: 'removed', startKey: lastKey } : { phase: 'sweep', startKey: null }, done: false, counts };
}

async function sweep(ctx: ExecutionContext, startKey: StoreKey | null): Promise<ChunkResult<DriftCursor>> {
  const drift = ctx.stores.drift;
  const { items, lastKey } = await drift.pageOfBaseline(ctx.run.tenantId, baselineOf(ctx), startKey, 100);
  await drift.deleteMany(items.filter((f) => f.runId !== ctx.run.id));
  return { cursor: { phase: 'sweep', startKey: lastKey }, done: lastKey === null, counts: {} };
}

/** The drift.generate module: definition and start plan (drift-generate.definition.ts) and executor. */
export const driftGenerate = defineModule(driftGenerateStart, executor);
