/**
 * GET /me/fleet — "All my tenants": the active (queued/running) and failed runs created in the last
 * `hours` (default 24, 1–72) across every tenant the caller belongs to, newest first with tenant
 * names, and per tenant a summary of its completed runs by type and outcome. DynamoDB only.
 *
 * Why and how the reads are bounded: one request must not grow with a tenant's history or with an
 * MSP's tenant count, so every read has a cap and a cap that cuts something off says so.
 * - One Query for the caller's memberships (pk=USER#u, sk begins_with MEMBER#).
 * - At most 50 tenants (the first by tenant id; more set the answer's `truncated`).
 * - Per tenant four Queries, each a key range on the ULID sort key (only runs created in the window
 *   are read, never older history): the run partition newest first, at most 200 runs (the summary);
 *   byStatus queued and byStatus running, at most 50 each; byOutcome failed, at most 50. A cap that
 *   cuts runs off sets that tenant's `truncated`. Pages hold at most 100 items, so a tenant costs
 *   at most 6 Queries (usually 4), and read units ≈ tenants × pages.
 * - Tenants are read 4 at a time (each tenant's Queries in parallel), so at most 16 requests are in
 *   flight and a 50-tenant answer is ~13 round trips deep.
 * - At most 500 runs in the answer (newest first; more set `truncated`).
 */
import { apiHandler } from '../../shared/http/api.js';
import { fleetRoute } from '../../shared/http/fleet-schemas.js';
import { readFleet } from '../../shared/store/fleet.js';

export const handler = apiHandler(fleetRoute, async ({ user, query, deps }) => {
  const memberships = await deps.directory.listMemberships(user.id);
  const { queries: _queries, ...fleet } = await readFleet({ doc: deps.doc, table: deps.table, memberships, now: deps.clock(), hours: query.hours });
  return { status: 200, body: fleet };
});
