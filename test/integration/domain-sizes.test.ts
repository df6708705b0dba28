/**
 * Issue 14 §3, sizes: no domain record can outgrow DynamoDB's 400 KB item limit (attribute names
 * included), and every item list is read with a cursor. A 5,000-policy tenant's backup (the
 * simulated Graph's data for a 5,000-policy tenant) is loaded with batch writes the way the
 * executors' lanes store items — an unconditional row per policy, then the set's count once per
 * 100-item chunk (BackupStore.countChunk); the largest restore the limits allow — every item of that
 * set — is prepared by the real executor and its results recorded through the store. Each test
 * measures the largest item of the partition (test/support/item-size.ts) and pages the API answers
 * through to the end. (A real 5,000-policy schedule run and a full 5,000-item dry-run restore through
 * the simulated Graph took about 200 s and 270 s here: too slow for the suite.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { workerTestEnv } from '../support/worker-env.js';
import { alice, startChecked } from '../support/backup-fixtures.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { callRoute } from '../support/route-call.js';
import { itemSize } from '../support/item-size.js';
import { keys, tenantPk } from '../../shared/store/keys.js';
import { makeStores, type Stores } from '../../shared/store/stores.js';
import { backupItemRow, type BackupItem } from '../../shared/store/backup-store.js';
import { MAX_CHANGED_PATHS, zeroRestoreCounts, type RestoreRecord } from '../../shared/store/restore-store.js';
import { TableClient } from '../../shared/store/table-client.js';
import { mapConcurrent } from '../../shared/concurrency.js';
import { buildTenantData } from '../../infra/local/graph-sim-data.js';
import { policyContentHash } from '../../shared/operations/fingerprint.js';
import { EXECUTORS } from '../../shared/operations/index.js';
import type { RestoreCursor } from '../../shared/operations/restore-execute.js';
import type { ExecutionContext } from '../../shared/operations/executor.js';

const POLICIES = 5_000;
const TENANT = 'big';
const ITEM_LIMIT = 400 * 1024;
const CHUNK = 100;
const params = { tenantId: TENANT };

let env: Awaited<ReturnType<typeof workerTestEnv>>;
let stores: Stores;
let setId: string;
let policyIds: string[];
beforeAll(async () => {
  env = await workerTestEnv();
  stores = makeStores({ doc: env.doc, table: env.table });
  setApiDeps(makeApiDeps({ doc: env.doc, table: env.table, queue: env.queue }));
  await env.directory.putTenant({ id: TENANT, name: TENANT, graph: env.sim.settingsFor('contoso') });
  await env.directory.putUser({ id: 'reader', name: 'Reader' });
  await env.directory.putMembership('reader', { tenantId: TENANT, tenantName: TENANT, role: 'manager' });
  const policies = [...buildTenantData(TENANT, { policies: POLICIES, groups: 600 }).policies.values()];
  policyIds = policies.map((p) => p.id);
  setId = ulid();
  const now = new Date().toISOString();
  await stores.backups.createSet({ id: setId, tenantId: TENANT, name: '5,000 policies', status: 'complete', itemCount: 0, createdAt: now, createdBy: alice, scheduleId: null, runId: null, completedAt: null });
  const table = new TableClient(env.doc, env.table);
  // Four lanes, as the executors store items; each 100-item chunk counted once on the set.
  const chunks = Array.from({ length: Math.ceil(policies.length / CHUNK) }, (_, k) => policies.slice(k * CHUNK, (k + 1) * CHUNK));
  const counted = await mapConcurrent(chunks, 4, async (chunk) => {
    const items = chunk.map((p): BackupItem => ({
      id: p.id, tenantId: TENANT, backupSetId: setId, policyId: p.id, category: p.category, displayName: String(p.content.displayName ?? p.id),
      content: p.content, assignments: p.assignments, contentHash: policyContentHash(p.content, p.assignments), capturedAt: now, runId: 'load',
    }));
    await table.batchPut(items.map(backupItemRow));
    return stores.backups.countChunk(TENANT, setId, `load:${items[0].id}`, items.length);
  });
  expect(counted.every((c) => c === 'counted')).toBe(true);
}, 300_000);
afterAll(async () => {
  setApiDeps(undefined);
  await env?.stop();
});

/** Every item of the tenant's partition, raw, and the largest one's size. */
async function largestItem() {
  let largest = { size: 0, sk: '' };
  let startKey: Record<string, unknown> | undefined;
  let count = 0;
  do {
    const out = await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tenantPk(TENANT) }, ExclusiveStartKey: startKey }));
    for (const item of out.Items ?? []) {
      count++;
      const size = itemSize(item);
      if (size > largest.size) largest = { size, sk: item.sk as string };
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return { ...largest, count };
}

/** Pages a GET answer through to its end, `limit` per page; answers the first page and every item. */
async function pageThrough<T>(route: string, p: Record<string, string>, limit: number) {
  const all: T[] = [];
  let first: any;
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await callRoute('GET', route, p, { user: 'reader', query: { limit: String(limit), ...(cursor ? { cursor } : {}) } });
    expect(res.status).toBe(200);
    first ??= res.body;
    all.push(...res.body.items);
    cursor = res.body.nextCursor ?? undefined;
    pages++;
  } while (cursor);
  return { first, all, pages };
}

const SET = '/tenants/{tenantId}/backup-sets/{backupSetId}';
const RESTORE = '/tenants/{tenantId}/restores/{restoreId}';

// 5,000 items written, prepared and paged through: minutes when DynamoDB Local is shared with the chaos
// suite on a 2-core machine. A size test, not a speed test: it gets the time it needs.
describe('a 5,000-policy tenant', { timeout: 400_000 }, () => {
  it("its backup set: the count equals its items, each listed once across pages, none near 400 KB; content is read per item", async () => {
    const { first, all } = await pageThrough<{ policyId: string; content?: unknown }>(SET, { ...params, backupSetId: setId }, 1000);
    expect(first).toMatchObject({ id: setId, status: 'complete', itemCount: POLICIES });
    expect(first.items.length).toBeGreaterThan(0);
    expect(first.items.length).toBeLessThanOrEqual(1000);
    expect(all).toHaveLength(POLICIES);
    expect(new Set(all.map((i) => i.policyId))).toEqual(new Set(policyIds));
    // pages list summaries; one item's content is its own read
    expect(all.every((i) => i.content === undefined)).toBe(true);
    const one = await callRoute('GET', `${SET}/items/{policyId}`, { ...params, backupSetId: setId, policyId: all[0].policyId }, { user: 'reader' });
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ policyId: all[0].policyId, backupSetId: setId, content: expect.any(Object) });
    const missing = await callRoute('GET', `${SET}/items/{policyId}`, { ...params, backupSetId: setId, policyId: 'no-such-policy' }, { user: 'reader' });
    expect(missing.status).toBe(404);
    for (const query of [{ cursor: 'not-a-cursor' }, { limit: '0' }, { limit: '1001' }] as Array<Record<string, string>>) {
      expect((await callRoute('GET', SET, { ...params, backupSetId: setId }, { user: 'reader', query })).status).toBe(400);
    }

    const largest = await largestItem();
    const setSize = itemSize((await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': tenantPk(TENANT), ':sk': keys.backupSet(TENANT, setId).sk } }))).Items![0]);
    console.log(`5,000-policy backup: ${largest.count} items, largest ${largest.size} bytes (${largest.sk.split('#')[0]}); the set item ${setSize} bytes`);
    expect(largest.size).toBeLessThan(ITEM_LIMIT);
  });

  it('the largest restore the limits allow — every item of that set — keeps a small summary whose counts equal its item rows, read in pages', async () => {
    const { run } = await startChecked(env, 'restore.execute', { backupSetId: setId, dryRun: true }, TENANT);
    const restoreId = run.context.restoreId as string;
    // The executor's own prepare phase writes the 5,000 pending rows (batch writes); no Graph needed.
    const ctx = { run, stores, now: () => new Date(), graph: async () => { throw new Error('no Graph in prepare'); }, log: console } as unknown as ExecutionContext;
    let cursor = EXECUTORS['restore.execute'].initialCursor(run) as RestoreCursor;
    while (cursor.phase === 'prepare') cursor = (await EXECUTORS['restore.execute'].processChunk(ctx, cursor)).cursor as RestoreCursor;
    // Results as the worker records them: row and counter in one transaction; a second write of a result counts nothing.
    const store = stores.restores;
    const sample = [...policyIds].sort().slice(0, 4);
    const result = (itemId: string, status: 'restored' | 'would_change' | 'unchanged' | 'failed') => ({
      itemId, policyId: itemId, category: 'x', displayName: itemId, status, at: new Date().toISOString(),
      changedPaths: status === 'unchanged' || status === 'failed' ? [] : Array.from({ length: 500 }, (_, k) => `settings[${k}].settingInstance.choiceSettingValue.children[0].value`),
      error: status === 'failed' ? { code: 'graph_forbidden', message: 'x'.repeat(2000) } : null,
    });
    const statuses = ['restored', 'would_change', 'unchanged', 'failed'] as const;
    for (const [k, id] of sample.entries()) expect(await store.recordItem(TENANT, restoreId, result(id, statuses[k]))).toBe('recorded');
    expect(await store.recordItem(TENANT, restoreId, result(sample[0], 'restored'))).toBe('already');

    const { first, all } = await pageThrough<{ itemId: string; status: string; changedPaths: string[]; changedPathCount: number }>(RESTORE, { ...params, restoreId }, 1000);
    expect(first).toMatchObject({ id: restoreId, status: 'queued', total: POLICIES, counts: { pending: POLICIES - 4, restored: 1, wouldChange: 1, unchanged: 1, failed: 1 } });
    expect(all).toHaveLength(POLICIES);
    expect(new Set(all.map((i) => i.itemId))).toEqual(new Set(policyIds));
    const counted = Object.fromEntries(statuses.map((st) => [st, all.filter((i) => i.status === st).length]));
    expect(counted).toEqual({ restored: first.counts.restored, would_change: first.counts.wouldChange, unchanged: first.counts.unchanged, failed: first.counts.failed });
    expect(all.filter((i) => i.status === 'pending')).toHaveLength(first.counts.pending);
    const restored = all.find((i) => i.status === 'restored')!;
    expect(restored).toMatchObject({ changedPathCount: 500 });
    expect(restored.changedPaths).toHaveLength(MAX_CHANGED_PATHS);
    expect((await callRoute('GET', RESTORE, { ...params, restoreId }, { user: 'reader', query: { cursor: 'not-a-cursor' } })).status).toBe(400);

    const largest = await largestItem();
    const summary = itemSize((await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk AND sk = :sk', ExpressionAttributeValues: { ':pk': tenantPk(TENANT), ':sk': keys.restore(TENANT, restoreId).sk } }))).Items![0]);
    const rows = await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': tenantPk(TENANT), ':p': keys.restoreItemPrefix(restoreId) } }));
    const largestRow = Math.max(...rows.Items!.map((i) => itemSize(i)));
    console.log(`full restore of 5,000 items: summary ${summary} bytes, largest item row ${largestRow} bytes; partition's largest ${largest.size} bytes (${largest.sk.split('#')[0]})`);
    expect(largest.size).toBeLessThan(ITEM_LIMIT);
  });

  it("a restore summary at the input's limits (500 selected ids, 500 mapped groups, all of the longest id) is far below 400 KB", () => {
    const longId = (n: number) => `${String(n).padStart(12, '0')}-0000-4000-8000-000000000000_${'N'.repeat(200 - 50)}`.slice(0, 200);
    const record: RestoreRecord = {
      id: ulid(), tenantId: TENANT, runId: ulid(), backupSetId: ulid(), dryRun: false, status: 'queued', startedAt: null,
      selection: Array.from({ length: 500 }, (_, k) => longId(k)), groupMapping: Object.fromEntries(Array.from({ length: 500 }, (_, k) => [longId(k), longId(k + 500)])),
      total: 500, counts: zeroRestoreCounts(), createdAt: new Date().toISOString(), completedAt: null, initiator: alice, expiresAt: 1_900_000_000,
    };
    const size = itemSize(stores.restores.newRestorePut(record).Item);
    console.log(`restore summary at the input limits: ${size} bytes`);
    expect(size).toBeLessThan(ITEM_LIMIT);
  });
});
