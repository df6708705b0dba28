/**
 * A chaos scenario's tenant on the simulated Microsoft Graph (infra/local/graph-sim.ts, on a free
 * port of its own): a small tenant (a few policies per category), the references the eight operation
 * types need (a complete backup set with a few items — the drift baseline, the restore source and a
 * set to add to —, a backup schedule), and the scenario's Graph faults through the
 * simulator's GRAPH_SIM_FAULTS knobs: throttling (429 + Retry-After), 5xx (503), a category
 * `unavailable` (400/403), a `forbidden` policy (403). The fixture is built before the faults go on.
 */
import { ulid } from 'ulid';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseFaults, startGraphSim, type GraphSim, type SimFaults } from '../../../infra/local/graph-sim.js';
import { GraphClient, type GraphSettings } from '../../../shared/graph/client.js';
import { LocalSecretResolver } from '../../../shared/graph/secrets.js';
import { CATEGORIES } from '../../../shared/runs/catalog.js';
import { OPERATION_TYPES, type OperationType } from '../../../shared/operations/catalog.js';
import { policyContentHash } from '../../../shared/operations/fingerprint.js';
import { makeStores } from '../../../shared/store/stores.js';
import { putSchedule } from '../../support/backup-fixtures.js';
import type { Rng } from './chaos-kit.js';

export interface ChaosTenant {
  sim: GraphSim;
  graph: GraphSettings;
  policyIds: string[];
  /** complete, with a few policies as items: the drift baseline, the restore source, a set to add to */
  sourceSetId: string;
  /** the source set's item ids (a restore names some of them) */
  sourceItemIds: string[];
  scheduleId: string;
  /** the GRAPH_SIM_FAULTS spec of this scenario (printed with a failure) */
  faults: string;
}

const sample = <T>(d: Rng, xs: readonly T[], lo: number, hi: number): T[] => d.shuffle([...xs]).slice(0, Math.min(xs.length, d.int(lo, hi)));

/** The scenario's Graph faults, as a GRAPH_SIM_FAULTS spec (the simulator parses it). */
function faultSpec(d: Rng, policyIds: string[]): string {
  const parts = [`throttle=${d.pick([0, 0.02, 0.08])}`, `error=${d.pick([0, 0.02, 0.05])}`, `retryAfter=${d.pick([0, 1, 5, 90])}`];
  if (d.chance(0.25)) parts.push(`unavailable=${d.pick(CATEGORIES)}${d.chance(0.5) ? ':403' : ''}`);
  if (d.chance(0.3)) parts.push(`forbidden=${sample(d, policyIds, 1, 2).join('|')}`);
  return parts.join(',');
}

export async function setUpTenant(d: Rng, seed: number, doc: DynamoDBDocumentClient, table: string, tenantId: string): Promise<ChaosTenant> {
  const sim = await startGraphSim({
    port: 0, latencyMs: 0, faultSeed: seed, faults: {},
    // a few policies per category (6 categories), pages of a few: small tenants, many pages
    tenants: { [tenantId]: { policies: d.int(6, 14), groups: d.int(1, 5) } },
    pageSize: d.pick([2, 3, 5]),
  });
  try {
    // Workers get these settings straight from the fixture (no tenant profile read: fewer calls).
    const graph = sim.settingsFor(tenantId);
    const stores = makeStores({ doc, table });
    const policyIds = sim.policies(tenantId).map((p) => p.id);
    // The restore source: a few policies as the real Graph client reads them (what a backup stores).
    const client = new GraphClient({ settings: graph, secrets: new LocalSecretResolver(), sleep: async () => undefined });
    const now = new Date().toISOString();
    const sourceSetId = ulid();
    const scheduleId = ulid();
    const policies = await Promise.all(sample(d, sim.policies(tenantId), 2, 4).map((p) => client.getPolicy(p.category, p.id)));
    await Promise.all([
      stores.backups.createSet({ id: sourceSetId, tenantId, name: 'source', status: 'complete', itemCount: policies.length, createdAt: now, createdBy: { userId: null, name: 'chaos fixture' }, scheduleId: null, runId: null, completedAt: now }),
      ...policies.map((p) => stores.backups.putItem({
        id: p.id, tenantId, backupSetId: sourceSetId, policyId: p.id, category: p.category, displayName: p.displayName, content: p.content,
        assignments: p.assignments, contentHash: policyContentHash(p.content, p.assignments), capturedAt: now, runId: 'fixture',
      })),
      putSchedule(doc, table, { id: scheduleId, tenantId, categories: sample(d, CATEGORIES, 1, 3), keepLast: d.int(1, 3) }),
    ]);
    const faults = faultSpec(d, policyIds);
    sim.setFaults(parseFaults(faults) as SimFaults);
    return { sim, graph, policyIds, sourceSetId, sourceItemIds: policies.map((p) => p.id), scheduleId, faults };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

/**
 * One start of any operation type, with a small identity space per type (so starts dedupe) and
 * references into the fixture. A retry names a run_now run of this scenario (422 unless it ended
 * failed or partially succeeded — the start plan decides, as in production).
 */
export function pickStart(d: Rng, t: ChaosTenant, runNowRuns: string[]): { type: OperationType; input: Record<string, unknown> } {
  const type = d.pick(OPERATION_TYPES);
  switch (type) {
    case 'inventory.sync':
      return { type, input: d.chance(0.5) ? {} : { categories: [d.pick(CATEGORIES)] } };
    case 'policy.sync':
      return { type, input: d.chance(0.5) ? {} : { policyIds: sample(d, t.policyIds, 1, 3) } };
    case 'directory_groups.sync':
    case 'graph.connection_check':
      return { type, input: {} };
    case 'drift.generate':
      return { type, input: d.chance(0.5) ? {} : { baselineBackupSetId: t.sourceSetId } };
    case 'backup_set.add_policies':
      return { type, input: { backupSetId: t.sourceSetId, policyIds: sample(d, t.policyIds, 1, 4) } };
    case 'backup_schedule.run_now':
      return { type, input: { scheduleId: t.scheduleId } };
    case 'backup_schedule.retry':
      return runNowRuns.length ? { type, input: { scheduleId: t.scheduleId, runId: d.pick(runNowRuns) } } : { type: 'backup_schedule.run_now', input: { scheduleId: t.scheduleId } };
    case 'restore.execute':
      return { type, input: { backupSetId: t.sourceSetId, ...(d.chance(0.5) ? { itemIds: sample(d, t.sourceItemIds, 1, 2) } : {}), dryRun: d.chance(0.4) } };
  }
}
