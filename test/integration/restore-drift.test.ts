import { CATALOG } from '../../shared/operations/catalog.js';
import { makeStores } from '../../shared/store/stores.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransactWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { receiveAll, workerTestEnv } from '../support/worker-env.js';
import { processWorkMessage } from '../../shared/operations/worker.js';
import { alice, startChecked } from '../support/backup-fixtures.js';
import { planStart } from '../../shared/operations/catalog.js';
import { BackupStore } from '../../shared/store/backup-store.js';
import { RestoreStore } from '../../shared/store/restore-store.js';
import { DriftStore } from '../../shared/store/drift-store.js';
import { RunStore } from '../../shared/store/run-store.js';
import { keys } from '../../shared/store/keys.js';
import { RunService } from '../../shared/runs/service.js';
import { PreconditionFailedError } from '../../shared/runs/errors.js';

let env: Awaited<ReturnType<typeof workerTestEnv>>;
let sets: BackupStore;
let restores: RestoreStore;
beforeAll(async () => {
  env = await workerTestEnv();
  sets = new BackupStore(env.doc, env.table);
  restores = new RestoreStore(env.doc, env.table);
  for (const type of ['policy.sync', 'directory_groups.sync'] as const) await env.start(type);
  await env.drain();
});
afterAll(() => env?.stop());

async function newSet(name: string, tenantId = 'contoso') {
  const id = ulid();
  await sets.createSet({ id, tenantId, name, status: 'complete', itemCount: 0, createdAt: new Date().toISOString(), createdBy: alice, scheduleId: null, runId: null, completedAt: null });
  return id;
}
async function runToEnd(type: Parameters<typeof startChecked>[1], input: Record<string, unknown>, tenantId = 'contoso') {
  const { run } = await startChecked(env, type, input, tenantId);
  await env.drain();
  return (await env.store.getRun(tenantId, run.id))!;
}
const contosoPolicies = () => env.sim.policies('contoso');
const restoreRuns = async () => (await env.store.listRuns('contoso', { type: 'restore.execute' }, 100)).items;

describe('backup_set.add_policies', () => {
  it('stores each policy as an item and skips the ones already in the set', async () => {
    const setId = await newSet('manual');
    const [a, b, c] = contosoPolicies().map((p) => p.id);
    const first = await runToEnd('backup_set.add_policies', { backupSetId: setId, policyIds: [a, b] });
    expect(first.summaryCounts).toMatchObject({ total: 2, created: 2, skipped: 0, failed: 0 });
    const second = await runToEnd('backup_set.add_policies', { backupSetId: setId, policyIds: [b, c] });
    expect(second).toMatchObject({ outcome: 'succeeded', summaryCounts: { total: 2, created: 1, skipped: 1 } });
    expect((await sets.getSet('contoso', setId))!.itemCount).toBe(3);
    const stored = await sets.getItems('contoso', setId, [a]);
    expect(stored.get(a)!.content).toMatchObject({ id: a });
  });

  it('a chunk Graph stops part-way: its stored items are its progress, the continuation reads only the rest, counts and itemCount exact', async () => {
    const setId = await newSet('throttled');
    // deviceConfigurations policies are one Graph request each (their categories are known from the policy sync).
    const ids = contosoPolicies().filter((p) => p.category === 'deviceConfigurations').map((p) => p.id).slice(0, 10);
    expect(ids.length).toBeGreaterThan(5);
    const { run } = await startChecked(env, 'backup_set.add_policies', { backupSetId: setId, policyIds: ids });
    const read = (from: number, to: number, status: number) => new Set(env.sim.requests.slice(from, to)
      .filter((r) => r.tenantId === 'contoso' && r.version && r.status === status).flatMap((r) => ids.filter((id) => r.path.includes(`/${id}`))));
    const message = { runId: run.id, tenantId: 'contoso', type: run.type };
    await receiveAll(env.sqs, env.workQueueUrl);
    const settings = env.deps.settings;
    env.deps.settings = { ...settings, maxDeferSeconds: 0 }; // the continuation is sent without delay
    const from = env.sim.requests.length;
    // 3 reads answer 429 with a Retry-After (120 s) longer than the worker may wait: the chunk stops there.
    env.sim.throttleNext(3, 120);
    try {
      expect(await processWorkMessage(message, () => 100_000, env.deps)).toBe('continued');
    } finally {
      env.deps.settings = settings;
      env.sim.throttleNext(0);
    }
    const firstEnd = env.sim.requests.length;
    const throttled = read(from, firstEnd, 429);
    expect(throttled.size).toBe(3);
    expect(read(from, firstEnd, 200).size).toBe(ids.length - 3);
    const queued = (await receiveAll(env.sqs, env.workQueueUrl)).map((m) => JSON.parse(m.Body!)).filter((m) => m.runId === run.id);
    expect(queued).toEqual([{ ...message, continuation: 1 }]);
    expect(await processWorkMessage(queued[0], () => 100_000, env.deps)).toBe('completed');
    // The continuation read the 3 deferred policies only: the others were already stored by this run.
    expect([...read(firstEnd, env.sim.requests.length, 200)].sort()).toEqual([...throttled].sort());
    expect(await env.store.getRun('contoso', run.id)).toMatchObject({ outcome: 'succeeded', summaryCounts: { total: ids.length, processed: ids.length, created: ids.length, skipped: 0, failed: 0 } });
    expect((await sets.getSet('contoso', setId))!.itemCount).toBe(ids.length);
  });

  it('refuses an unknown set (422) before writing a run', async () => {
    await expect(startChecked(env, 'backup_set.add_policies', { backupSetId: 'no-such-set', policyIds: ['x'] })).rejects.toBeInstanceOf(PreconditionFailedError);
    const listed = (await env.store.listRuns('contoso', { type: 'backup_set.add_policies' }, 100)).items;
    const runs = await Promise.all(listed.map(async (r) => (await env.store.getRun('contoso', r.id))!));
    expect(runs.every((r) => r.input.backupSetId !== 'no-such-set')).toBe(true);
  });
});

describe('drift.generate', () => {
  it('finds added, removed and modified policies with the changed paths, and replaces its earlier findings', async () => {
    const policies = contosoPolicies();
    const excluded = policies[0].id;
    const changed = policies.find((p) => p.category === 'deviceConfigurations' && p.id !== excluded)!.id;
    const setId = await newSet('baseline');
    await runToEnd('backup_set.add_policies', { backupSetId: setId, policyIds: policies.slice(1).map((p) => p.id) });
    // A policy that was backed up but no longer exists anywhere.
    await sets.addItem({ id: 'gone-policy', tenantId: 'contoso', backupSetId: setId, policyId: 'gone-policy', category: 'deviceConfigurations', displayName: 'Gone',
      content: { id: 'gone-policy', displayName: 'Gone' }, assignments: [], contentHash: 'x', capturedAt: new Date().toISOString(), runId: 'seed' });
    env.sim.mutatePolicy('contoso', changed, { passwordMinimumLength: 99, cameraBlocked: 'changed' });
    await runToEnd('policy.sync', {});

    const run = await runToEnd('drift.generate', { baselineBackupSetId: setId });
    expect(run).toMatchObject({ outcome: 'succeeded', context: { baselineBackupSetId: setId } });
    expect(run.summaryCounts).toMatchObject({ drifted: 3, added: 1, removed: 1, modified: 1 });
    const drift = new DriftStore(env.doc, env.table);
    const { items } = await drift.list('contoso', { baselineBackupSetId: setId, limit: 100 });
    const byPolicy = new Map(items.map((f) => [f.policyId, f]));
    expect(byPolicy.get(excluded)).toMatchObject({ kind: 'added' });
    expect(byPolicy.get('gone-policy')).toMatchObject({ kind: 'removed' });
    expect(byPolicy.get(changed)).toMatchObject({ kind: 'modified', changedPaths: ['cameraBlocked', 'passwordMinimumLength'] });
    expect(items).toHaveLength(3);

    // Back up the added one: the next generation no longer reports it (old findings are replaced).
    await runToEnd('backup_set.add_policies', { backupSetId: setId, policyIds: [excluded] });
    await runToEnd('drift.generate', { baselineBackupSetId: setId });
    const again = await drift.list('contoso', { baselineBackupSetId: setId, limit: 100 });
    expect(again.items.map((f) => f.kind).sort()).toEqual(['modified', 'removed']);
  });

  it('defaults to the newest complete backup set, and refuses (422) when there is none', async () => {
    const newest = (await sets.newestCompleteSet('contoso'))!;
    const { run } = await startChecked(env, 'drift.generate', {});
    expect(run.context.baselineBackupSetId).toBe(newest.id);
    await env.drain();
    await expect(startChecked(env, 'drift.generate', {}, 'fabrikam')).rejects.toBeInstanceOf(PreconditionFailedError);
  });
});

describe('restore.execute', () => {
  let setId: string;
  let policyId: string;
  let sourceGroup: string;
  let targetGroup: string;
  beforeAll(async () => {
    const withAssignment = contosoPolicies().find((p) => p.category === 'deviceCompliancePolicies' && p.assignments.length > 0)!;
    policyId = withAssignment.id;
    sourceGroup = withAssignment.assignments[0].target.groupId as string;
    targetGroup = env.sim.groups('contoso').find((g) => g.id !== sourceGroup)!.id;
    setId = await newSet('restore source');
    await runToEnd('backup_set.add_policies', { backupSetId: setId, policyIds: [policyId] });
  });

  it('an unknown mapped group is refused (422, naming it) and nothing is written', async () => {
    const before = (await restoreRuns()).length;
    const err = await startChecked(env, 'restore.execute', { backupSetId: setId, groupMapping: { [sourceGroup]: 'no-such-group' } }).catch((e) => e);
    expect(err).toBeInstanceOf(PreconditionFailedError);
    expect(err.message).toContain('no-such-group');
    expect((await restoreRuns()).length).toBe(before);
  });

  it('unknown item ids are refused (422) too', async () => {
    await expect(startChecked(env, 'restore.execute', { backupSetId: setId, itemIds: ['not-an-item'] })).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('the restore record and the run are written in one transaction: when it fails, neither exists', async () => {
    const input = { backupSetId: setId };
    const deps = { stores: makeStores({ doc: env.doc, table: env.table }), clock: () => new Date() };
    const before = (await restoreRuns()).length;

    // 1. The transaction itself fails (DynamoDB rejects it).
    const plan = await planStart('restore.execute', 'contoso', input, deps);
    const failing = { send: (cmd: unknown) => (cmd instanceof TransactWriteCommand ? Promise.reject(new Error('injected transaction failure')) : env.doc.send(cmd as never)) } as unknown as DynamoDBDocumentClient;
    const service = new RunService({ catalog: CATALOG, store: new RunStore(failing, env.table), queue: env.queue });
    await expect(service.startRun({ tenantId: 'contoso', type: 'restore.execute', input, initiator: alice, surface: 'api', ...plan })).rejects.toThrow('injected');
    expect(await restores.get('contoso', plan.context!.restoreId as string)).toBeNull();

    // 2. The companion's condition fails (its key is taken): the run is not written either.
    const clash = await planStart('restore.execute', 'contoso', input, deps);
    const restoreId = clash.context!.restoreId as string;
    await env.doc.send(new PutCommand({ TableName: env.table, Item: { ...keys.restore('contoso', restoreId), kind: 'placeholder' } }));
    await expect(env.deps.service.startRun({ tenantId: 'contoso', type: 'restore.execute', input, initiator: alice, surface: 'api', ...clash })).rejects.toThrow();
    expect((await restoreRuns()).length).toBe(before);
    expect(await restores.get('contoso', restoreId)).toBeNull();
  });

  it('a dry run computes the per-item diff and writes nothing to Graph', async () => {
    env.sim.mutatePolicy('contoso', policyId, { bitLockerEnabled: 'drifted' });
    const seen = env.sim.requests.length;
    const run = await runToEnd('restore.execute', { backupSetId: setId, dryRun: true });
    expect(run).toMatchObject({ outcome: 'succeeded', summaryCounts: { wouldChange: 1, restored: 0 } });
    const record = (await restores.get('contoso', run.context.restoreId as string))!;
    expect(record).toMatchObject({ runId: run.id, dryRun: true, status: 'succeeded' });
    const { items } = await restores.pageOfItems('contoso', record.id, { limit: 100 });
    expect(items.find((i) => i.itemId === policyId)).toMatchObject({ status: 'would_change', changedPaths: ['bitLockerEnabled'], changedPathCount: 1 });
    expect(record.counts.wouldChange).toBe(1);
    expect(env.sim.requests.slice(seen).filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(env.sim.policies('contoso').find((p) => p.id === policyId)!.content.bitLockerEnabled).toBe('drifted');
  });

  it('writes items back through Graph with mapped groups, and a later policy sync sees the restored content', async () => {
    const original = (await sets.getItems('contoso', setId, [policyId])).get(policyId)!;
    const run = await runToEnd('restore.execute', { backupSetId: setId, groupMapping: { [sourceGroup]: targetGroup } });
    expect(run).toMatchObject({ outcome: 'succeeded', summaryCounts: { restored: 1 } });
    const record = (await restores.get('contoso', run.context.restoreId as string))!;
    const item = (await restores.pageOfItems('contoso', record.id, { limit: 100 })).items.find((i) => i.itemId === policyId)!;
    expect(item.status).toBe('restored');
    expect(item.changedPaths).toEqual(expect.arrayContaining(['bitLockerEnabled']));
    expect(record.counts.restored).toBe(1);
    const sim = env.sim.policies('contoso').find((p) => p.id === policyId)!;
    expect(sim.content.bitLockerEnabled).toBe(original.content.bitLockerEnabled);
    expect(sim.assignments.map((a) => a.target.groupId)).toContain(targetGroup);
    expect(sim.assignments.map((a) => a.target.groupId)).not.toContain(sourceGroup);

    await runToEnd('policy.sync', { policyIds: [policyId] });
    const [latest] = await env.deps.stores.policies.versions('contoso', policyId, 1);
    expect(latest.content.bitLockerEnabled).toBe(original.content.bitLockerEnabled);
  });
});
