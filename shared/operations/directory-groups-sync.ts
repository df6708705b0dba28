/**
 * directory_groups.sync (§3): page through Graph groups and refresh the directory-group cache, then
 * mark cached groups that Graph no longer has as removed (same "not seen since this run started"
 * rule as the inventory sweep).
 */
import type { CachedGroup } from '../store/group-cache-store.js';
import type { StoreKey } from '../store/inventory-store.js';
import { add, type ChunkResult, type CountDelta, type OperationExecutor } from './executor.js';
import { directoryGroupsSyncStart } from './directory-groups-sync.definition.js';
import { defineModule } from './module.js';

export type GroupsCursor = { phase: 'list'; nextLink: string | null } | { phase: 'sweep'; startKey: StoreKey | null };

const SWEEP_PAGE = 100;

/** Pure: count a group removed by this run before a crash; remove one nobody saw since the run started. */
export function groupSweepDecision(g: CachedGroup, runId: string, syncStartedAt: string): 'count' | 'remove' | 'keep' {
  if (g.removed && g.lastSeenRunId === runId) return 'count';
  if (!g.removed && g.lastSeenAt < syncStartedAt) return 'remove';
  return 'keep';
}

const executor: OperationExecutor<GroupsCursor, 'directory_groups.sync'> = {
  type: 'directory_groups.sync',
  countNames: ['upserted', 'removed'],
  initialCursor: () => ({ phase: 'list', nextLink: null }),

  async processChunk(ctx, cursor): Promise<ChunkResult<GroupsCursor>> {
    const { run, stores } = ctx;
    const counts: CountDelta = {};
    if (cursor.phase === 'list') {
      const page = await (await ctx.graph()).listGroups(cursor.nextLink);
      const now = ctx.now().toISOString();
      await stores.groups.putMany(page.items.map((g) => ({
        tenantId: run.tenantId, groupId: g.id, displayName: g.displayName, mail: g.mail, description: g.description,
        securityEnabled: g.securityEnabled, mailEnabled: g.mailEnabled, lastSeenAt: now, lastSeenRunId: run.id, removed: false, removedAt: null,
      })));
      for (const k of ['total', 'processed', 'succeeded', 'upserted']) add(counts, k, page.items.length);
      return { cursor: page.nextLink ? { phase: 'list', nextLink: page.nextLink } : { phase: 'sweep', startKey: null }, done: false, counts };
    }
    const syncStartedAt = run.startedAt ?? run.createdAt;
    const { items, lastKey } = await stores.groups.pageOfGroups(run.tenantId, cursor.startKey, SWEEP_PAGE);
    const now = ctx.now().toISOString();
    for (const g of items) {
      const decision = groupSweepDecision(g, run.id, syncStartedAt);
      if (decision === 'count' || (decision === 'remove' && (await stores.groups.markRemoved(g, run.id, now, syncStartedAt)))) add(counts, 'removed');
    }
    return { cursor: { phase: 'sweep', startKey: lastKey }, done: lastKey === null, counts };
  },
};

/** The directory_groups.sync module: definition and start plan (directory-groups-sync.definition.ts) and executor. */
export const directoryGroupsSync = defineModule(directoryGroupsSyncStart, executor);
