/**
 * graph.connection_check (issue 19): one chunk — obtain a token (the first call does), read the
 * organization, list ONE page of each policy category. Per item: readable; Graph answered 403 → one
 * failure `graph_permission_missing` naming the item and the application permission it needs; a
 * category Graph would not list otherwise (400/404: not licensed, not served) → `graph_category_unavailable`.
 * Outcome from the counts: succeeded, partially_succeeded, or failed when nothing was readable. A
 * credential the token endpoint refuses fails the run with `graph_auth_failed` (thrown by the client).
 */
import { READ_PERMISSION } from '../graph/api-map.js';
import { GraphError } from '../graph/errors.js';
import type { RunFailure } from '../runs/model.js';
import { sanitizeText } from '../runs/sanitize.js';
import { add, categoryUnavailable, type ChunkResult, type CountDelta, type OperationExecutor } from './executor.js';
import { CHECKED_ITEMS, graphConnectionCheckStart, type ConnectionCheckContext } from './graph-connection-check.definition.js';
import { defineModule } from './module.js';

type Cursor = Record<string, never>;

const executor: OperationExecutor<Cursor, 'graph.connection_check'> = {
  type: 'graph.connection_check',
  countNames: ['readable', 'missingPermission', 'unavailable'],
  initialCursor: () => ({}),

  async processChunk(ctx): Promise<ChunkResult<Cursor>> {
    const { pendingSecretRef } = ctx.run.context as unknown as ConnectionCheckContext;
    const graph = await ctx.graph(pendingSecretRef ? { secretRef: pendingSecretRef } : undefined);
    const counts: CountDelta = {};
    const failures: RunFailure[] = [];
    add(counts, 'total', CHECKED_ITEMS.length);
    for (const item of CHECKED_ITEMS) {
      try {
        if (item === 'organization') await graph.getOrganization();
        else await graph.listPolicies(item);
        add(counts, 'succeeded');
        add(counts, 'readable');
      } catch (err) {
        if (err instanceof GraphError && err.code === 'graph_forbidden') {
          failures.push({
            code: 'graph_permission_missing',
            message: sanitizeText(`${item}: the app may not read it (Graph answered 403); grant the application permission ${READ_PERMISSION[item]} with admin consent`),
            itemId: item,
          });
          add(counts, 'missingPermission');
        } else {
          const unavailable = categoryUnavailable(err, item);
          if (!unavailable) throw err; // the token endpoint, throttling, outages: the run's, not the item's
          failures.push(unavailable);
          add(counts, 'unavailable');
        }
        add(counts, 'failed');
      }
      add(counts, 'processed');
    }
    return { cursor: {}, done: true, counts, failures };
  },
};

/** The graph.connection_check module: definition and start plan (graph-connection-check.definition.ts) and executor. */
export const graphConnectionCheck = defineModule(graphConnectionCheckStart, executor);
