/**
 * GET /tenants/{t}/runs/{id}/timeline — the run's transitions, oldest first (queued, started,
 * checkpoints with counts, cancel requested, continuation/takeover, completed with its outcome).
 * DynamoDB only: one Query on RUNLOG#<runId>#; when the first page is empty, one Get tells an unknown
 * run (404) from one written before the timeline existed (an empty timeline).
 */
import { apiHandler } from '../../shared/http/api.js';
import { runTimelineRoute } from '../../shared/http/schemas.js';
import { RunNotFoundError } from '../../shared/runs/errors.js';
import { runStore } from '../../shared/store/stores.js';

export const handler = apiHandler(runTimelineRoute, async ({ tenantId, params, query, deps }) => {
  const page = await runStore(deps.stores).listTimeline(tenantId, params.runId, query.limit, query.cursor);
  if (page.items.length === 0 && !query.cursor && !(await runStore(deps.stores).getRun(tenantId, params.runId, { consistent: false }))) {
    throw new RunNotFoundError(tenantId, params.runId);
  }
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
});
