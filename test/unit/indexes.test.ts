import { describe, expect, it } from 'vitest';
import { ACTIVE_SHARDS, activeShard, INDEXES, RUN_SUMMARY_ATTRIBUTES, runIndexAttributes } from '../../shared/store/keys.js';
import { createTableInput } from '../../shared/store/table.js';
import { auditPut } from '../../shared/audit/audit.js';
import { fromAuditItem } from '../../shared/store/audit-store.js';
import { toRunSummary, emptyCounts, type Run } from '../../shared/runs/model.js';
import { fromRunSummaryItem, toRunItem } from '../../shared/store/run-store.js';

const run: Run = {
  id: '01JRUN0000000000000000000A', tenantId: 'contoso', type: 'inventory.sync', label: 'Inventory sync', status: 'running', outcome: 'pending',
  input: { categories: ['x'] }, identityHash: 'h', initiator: { userId: 'alice', name: 'Alice' }, surface: 'api', summaryCounts: emptyCounts(),
  failures: [{ code: 'c', message: 'm' }], failureCount: 1, context: { a: 1 }, attempt: 1, cancelRequested: false,
  createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z', completedAt: null, durationMs: null, queueWaitMs: 1000,
  expiresAt: '2026-04-01T00:00:00.000Z', leaseExpiresAt: '2026-01-01T00:01:00.000Z', checkpoint: { page: 2 }, version: 3,
};

describe('index projections', () => {
  const gsis = createTableInput('t').GlobalSecondaryIndexes;

  it('stay within DynamoDB limits: ≤ 20 NonKeyAttributes per index, ≤ 100 summed over all indexes', () => {
    const counts = gsis.map((g) => ('NonKeyAttributes' in g.Projection ? (g.Projection.NonKeyAttributes?.length ?? 0) : 0));
    expect(Math.max(...counts)).toBeLessThanOrEqual(20);
    expect(counts.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);
  });

  it('the list indexes project only the summary; byLookup keeps ALL; CreateTable follows INDEXES', () => {
    for (const name of ['byType', 'byStatus', 'byOutcome', 'byInitiator', 'bySurface']) {
      expect(gsis.find((g) => g.IndexName === name)!.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...RUN_SUMMARY_ATTRIBUTES] });
    }
    expect(gsis.find((g) => g.IndexName === 'byActive')!.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['leaseExpiresAt'] });
    expect(gsis.find((g) => g.IndexName === 'byLookup')!.Projection).toEqual({ ProjectionType: 'ALL' });
    // The audit trail by action (issue 19): the entry is one map attribute, the only one copied.
    expect(gsis.find((g) => g.IndexName === 'byAuditAction')!.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['entry'] });
    expect(gsis.map((g) => g.IndexName)).toEqual(Object.keys(INDEXES));
  });

  it('a summary read from a projected index item equals the summary of the whole run', () => {
    const item = toRunItem(run);
    const projected: Record<string, unknown> = { pk: item.pk, sk: item.sk };
    for (const a of RUN_SUMMARY_ATTRIBUTES) projected[a] = item[a];
    for (const i of Object.values(INDEXES)) {
      projected[i.partitionKey] = item[i.partitionKey];
      projected[i.sortKey] = item[i.sortKey];
    }
    const { version, ...summary } = fromRunSummaryItem(projected);
    expect(summary).toEqual(toRunSummary(run));
    expect(version).toBe(run.version);
  });
});

describe('byActive shards', () => {
  it('spread run ids evenly over ACTIVE_SHARDS partitions, stably', () => {
    const perShard = new Array(ACTIVE_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) perShard[activeShard(`01JABCDEFGHJKMNPQR${String(i).padStart(8, '0')}`)]++;
    // 1,000 expected per shard
    expect(Math.min(...perShard)).toBeGreaterThan(850);
    expect(Math.max(...perShard)).toBeLessThan(1150);
    expect(activeShard(run.id)).toBe(activeShard(run.id));
  });

  it('the lease is not in the key: a renewal leaves activePk/activeSk as they were; completed runs leave the index', () => {
    const a = runIndexAttributes(run);
    const b = runIndexAttributes({ ...run, leaseExpiresAt: '2026-01-01T00:05:00.000Z' });
    expect([b.activePk, b.activeSk]).toEqual([a.activePk, a.activeSk]);
    expect(a.activePk).toBe(`ACTIVE#running#${activeShard(run.id)}`);
    expect(runIndexAttributes({ ...run, status: 'completed' }).activePk).toBeUndefined();
  });
});

describe('audit entries in the indexes (issue 19)', () => {
  it('an audit item carries its actor (byLookup) and action (byAuditAction) keys; the action index item holds the whole entry', () => {
    const put = auditPut({ tenantId: 'contoso', actor: { userId: 'alice', name: 'Alice' }, action: 'member.added', target: { type: 'member', id: 'bob' }, after: { role: 'readonly' } }, new Date('2026-01-01T00:00:00Z'));
    const item = put.Item;
    expect(item.lookupPk).toBe('TENANT#contoso#AUDITACTOR#alice');
    expect(item.auditActionPk).toBe('TENANT#contoso#AUDITACTION#member.added');
    expect(item.lookupSk).toBe(item.auditSk);
    expect(String(item.sk)).toBe(`AUDIT#${item.auditSk}`);
    // one year of TTL, in epoch seconds
    expect(item.expiresAt).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000 + 365 * 86_400);
    const projected: Record<string, unknown> = { pk: item.pk, sk: item.sk, auditActionPk: item.auditActionPk, auditSk: item.auditSk };
    for (const a of (INDEXES.byAuditAction.projection as { attributes: readonly string[] }).attributes) projected[a] = item[a];
    expect(fromAuditItem(projected)).toEqual(fromAuditItem(item));
    expect(fromAuditItem(projected)).toMatchObject({ action: 'member.added', actor: { userId: 'alice' }, after: { role: 'readonly' } });
  });
});
