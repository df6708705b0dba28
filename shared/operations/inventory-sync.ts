/**
 * inventory.sync (§3): page through the tenant's Graph configuration objects of the chosen
 * categories, upsert inventory items, then mark the category's items no longer present as deleted.
 *
 * Per category: list (one Graph page per chunk) → sweep (one page of stored items per chunk).
 * "No longer present" = not seen by any sync since this run started (lastSeenAt < run.startedAt),
 * which stays right across resumes and next to a concurrent sync of the same category.
 */
import { CATEGORIES, type Category } from '../runs/catalog.js';
import type { InventoryChange, InventoryItem, StoreKey } from '../store/inventory-store.js';
import { add, categoryUnavailable, type ChunkResult, type CountDelta, type OperationExecutor } from './executor.js';
import { sha256 } from './fingerprint.js';
import { inventorySyncStart } from './inventory-sync.definition.js';
import { defineModule } from './module.js';

export type InventoryCursor =
  | { phase: 'list'; category: number; nextLink: string | null }
  | { phase: 'sweep'; category: number; startKey: StoreKey | null };

const SWEEP_PAGE = 100;

export function categoriesOf(input: { categories?: Category[] }): Category[] {
  // Catalog order, so a resumed run walks them in the same order whatever the input's order.
  const chosen = new Set(input.categories ?? CATEGORIES);
  return CATEGORIES.filter((c) => chosen.has(c));
}

/** What a sync did to one object, given what is stored (pure). A redone chunk of the same run answers as before. */
export function classifyInventoryItem(prev: InventoryItem | undefined, fingerprint: string, runId: string): InventoryChange {
  if (prev && prev.lastSeenRunId === runId && prev.lastChange !== 'deleted') return prev.lastChange;
  if (!prev || prev.deleted) return 'created';
  return prev.fingerprint === fingerprint ? 'unchanged' : 'updated';
}

/** Whether the sweep should count (and, unless already done by this run, write) an item as deleted (pure). */
export function sweepDecision(item: InventoryItem, runId: string, syncStartedAt: string): 'count' | 'delete' | 'keep' {
  if (item.deleted && item.lastSeenRunId === runId && item.lastChange === 'deleted') return 'count';
  if (!item.deleted && item.lastSeenAt < syncStartedAt) return 'delete';
  return 'keep';
}

const executor: OperationExecutor<InventoryCursor, 'inventory.sync'> = {
  type: 'inventory.sync',
  countNames: ['created', 'updated', 'unchanged', 'deleted'],
  initialCursor: () => ({ phase: 'list', category: 0, nextLink: null }),

  async processChunk(ctx, cursor): Promise<ChunkResult<InventoryCursor>> {
    const categories = categoriesOf(ctx.run.input as { categories?: Category[] });
    const category = categories[cursor.category];
    const counts: CountDelta = {};
    if (!category) return { cursor, done: true, counts };
    const nextCategory = (): ChunkResult<InventoryCursor> => ({
      cursor: { phase: 'list', category: cursor.category + 1, nextLink: null },
      done: cursor.category + 1 >= categories.length,
      counts,
    });
    const { run, stores } = ctx;
    const syncStartedAt = run.startedAt ?? run.createdAt;

    if (cursor.phase === 'list') {
      const graph = await ctx.graph();
      let page;
      try {
        page = await graph.listPolicies(category, cursor.nextLink);
      } catch (err) {
        // A category we may not read is one failure; skip its sweep, or we would mark all of it deleted.
        const failure = categoryUnavailable(err, category);
        if (!failure) throw err;
        add(counts, 'total'); add(counts, 'processed'); add(counts, 'failed');
        return { ...nextCategory(), failures: [failure] };
      }
      const now = ctx.now().toISOString();
      const stored = await stores.inventory.getMany(run.tenantId, category, page.items.map((p) => p.id));
      const items: InventoryItem[] = page.items.map((p) => {
        const fingerprint = sha256({ displayName: p.displayName, odataType: p.odataType, lastModifiedDateTime: p.lastModifiedDateTime });
        const prev = stored.get(p.id);
        const change = classifyInventoryItem(prev, fingerprint, run.id);
        add(counts, change);
        return {
          tenantId: run.tenantId, category, objectId: p.id, displayName: p.displayName, odataType: p.odataType,
          lastModifiedDateTime: p.lastModifiedDateTime, fingerprint, deleted: false, deletedAt: null,
          firstSeenAt: prev?.firstSeenAt ?? now, lastSeenAt: now, lastSeenRunId: run.id, lastChange: change,
        };
      });
      await stores.inventory.putMany(items);
      add(counts, 'total', items.length); add(counts, 'processed', items.length); add(counts, 'succeeded', items.length);
      return page.nextLink
        ? { cursor: { phase: 'list', category: cursor.category, nextLink: page.nextLink }, done: false, counts }
        : { cursor: { phase: 'sweep', category: cursor.category, startKey: null }, done: false, counts };
    }

    const { items, lastKey } = await stores.inventory.pageOfCategory(run.tenantId, category, cursor.startKey, SWEEP_PAGE);
    const now = ctx.now().toISOString();
    for (const item of items) {
      const decision = sweepDecision(item, run.id, syncStartedAt);
      if (decision === 'count' || (decision === 'delete' && (await stores.inventory.markDeleted(item, run.id, now, syncStartedAt)))) add(counts, 'deleted');
    }
    return lastKey ? { cursor: { phase: 'sweep', category: cursor.category, startKey: lastKey }, done: false, counts } : nextCategory();
  },
};

/** The inventory.sync module: definition and start plan (inventory-sync.definition.ts) and executor. */
export const inventorySync = defineModule(inventorySyncStart, executor);
