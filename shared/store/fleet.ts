/**
 * The fleet view (GET /me/fleet): one answer across every tenant a user belongs to, assembled from
 * the bounded reads of shared/store/fleet-reads.ts. Pure apart from those reads.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Membership } from './directory-store.js';
import { mapConcurrent } from '../concurrency.js';
import { FLEET_LIMITS, newestFirst, readTenantFleet, type FleetLimits } from './fleet-reads.js';
import { toRunSummary, type FinalOutcome, type RunSummary } from '../runs/model.js';

export const SUMMARY_OUTCOMES = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const satisfies readonly FinalOutcome[];
export type OutcomeCounts = Record<(typeof SUMMARY_OUTCOMES)[number], number>;

/** At most this many runs in one answer (newest first); more set the answer's `truncated`. */
export const MAX_FLEET_RUNS = 500;

const zeroCounts = (): OutcomeCounts => ({ succeeded: 0, partially_succeeded: 0, failed: 0, cancelled: 0 });

/** Completed runs counted by type and outcome; active runs are not counted. */
export function summarize(runs: readonly Pick<RunSummary, 'status' | 'outcome' | 'type'>[]): { byType: Record<string, OutcomeCounts>; totals: OutcomeCounts } {
  const byType: Record<string, OutcomeCounts> = {};
  const totals = zeroCounts();
  for (const run of runs) {
    if (run.status !== 'completed' || run.outcome === 'pending') continue;
    (byType[run.type] ??= zeroCounts())[run.outcome] += 1;
    totals[run.outcome] += 1;
  }
  return { byType, totals };
}

export interface FleetOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  memberships: readonly Membership[];
  now: Date;
  hours: number;
  limits?: FleetLimits;
  maxRuns?: number;
}

export async function readFleet(o: FleetOptions) {
  const limits = o.limits ?? FLEET_LIMITS;
  const maxRuns = o.maxRuns ?? MAX_FLEET_RUNS;
  const since = new Date(o.now.getTime() - o.hours * 3_600_000);
  const sorted = [...o.memberships].sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  const read = sorted.slice(0, limits.maxTenants);
  const perTenant = await mapConcurrent(read, limits.concurrency, (m) => readTenantFleet(o.doc, o.table, m.tenantId, since, o.now, limits));
  const tenants = read.map((m, i) => ({
    tenantId: m.tenantId,
    name: m.tenantName,
    role: m.role,
    summary: summarize(perTenant[i].window.items),
    truncated: perTenant[i].truncated,
  }));
  const all = read
    .flatMap((m, i) => perTenant[i].highlighted.map((run) => ({ ...toRunSummary(run), tenantName: m.tenantName })))
    .sort(newestFirst);
  return {
    since: since.toISOString(),
    tenants,
    runs: all.slice(0, maxRuns),
    truncated: sorted.length > read.length || all.length > maxRuns,
    queries: perTenant.reduce((n, t) => n + t.queries, 0),
  };
}
