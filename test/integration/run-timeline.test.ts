/**
 * Issue 17 items 2 and 3 against DynamoDB Local: the transition log written with each committed
 * transition and GET /tenants/{t}/runs/{id}/timeline; a filtered runs page filled on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { CATALOG } from '../../shared/operations/catalog.js';
import { RunService, claimRun } from '../../shared/runs/service.js';
import { RunStore } from '../../shared/store/run-store.js';
import { emptyCounts } from '../../shared/runs/model.js';
import type { WorkQueue } from '../../shared/runs/ports.js';

let api: TestApi;
let store: RunStore;
let service: RunService;
const sent: unknown[] = [];
const queue: WorkQueue = { send: async (m) => { sent.push(m); } };

beforeAll(async () => {
  api = await startTestRuntime();
  store = new RunStore(api.doc, api.runtime.tableName);
  service = new RunService({ catalog: CATALOG, store, queue });
});
afterAll(async () => {
  await api?.runtime.stop();
});

const alice = { userId: 'alice', name: 'Alice Admin' };
const counts = (processed: number, total = 250) => ({ ...emptyCounts(), total, processed, succeeded: processed });

describe('the transition log and GET /tenants/{t}/runs/{id}/timeline', () => {
  it('records queued, started, checkpoints with counts, cancel requested, continuation, takeover and completed, oldest first', async () => {
    const { run } = await service.startRun({ tenantId: 'contoso', type: 'inventory.sync', input: {}, initiator: alice, surface: 'console' });
    const claimed = (await claimRun(service, 'contoso', run.id, 60_000))!;
    const cp1 = (await service.apply('contoso', run.id, { type: 'checkpoint', leaseMs: 60_000, counts: counts(100), cursor: { page: 1 } }, { current: claimed }))!;
    // out of Lambda time: a checkpoint that releases the lease, then the continuation takes over
    const released = (await service.apply('contoso', run.id, { type: 'checkpoint', leaseMs: 0, counts: counts(150), cursor: { page: 2 } }, { current: cp1 }))!;
    const taken = (await claimRun(service, 'contoso', run.id, 60_000))!;
    expect(taken.attempt).toBe(2);
    await service.requestCancel('contoso', run.id);
    await service.apply('contoso', run.id, { type: 'complete', counts: counts(200) });
    expect(released.leaseExpiresAt).not.toBeNull();

    const res = await api.call('GET', `/tenants/contoso/runs/${run.id}/timeline`, { user: 'carol' });
    expect(res.status).toBe(200);
    const items = res.json.items as Array<Record<string, any>>;
    expect(items.map((i) => i.kind)).toEqual(['queued', 'started', 'checkpoint', 'continuation', 'takeover', 'cancel_requested', 'completed']);
    expect(items.map((i) => i.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(items[2].counts).toEqual({ total: 250, processed: 100, succeeded: 100, failed: 0, skipped: 0 });
    expect(items[3].counts.processed).toBe(150);
    expect(items[4].attempt).toBe(2);
    expect(items[6]).toMatchObject({ kind: 'completed', outcome: 'cancelled', counts: { processed: 200 } });
    expect(items[0].at).toBe(run.createdAt);
    expect(res.json.nextCursor).toBeNull();

    // cursor-paged: 3 + 3 + 1, the same entries in the same order
    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api.call('GET', `/tenants/contoso/runs/${run.id}/timeline${q}`, { user: 'carol' });
      expect(page.status).toBe(200);
      paged.push(...page.json.items.map((i: any) => i.kind));
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(paged).toEqual(items.map((i) => i.kind));

    // one small item per transition, with the run's TTL
    const stored = await api.doc.send(new QueryCommand({
      TableName: api.runtime.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': 'TENANT#contoso', ':p': `RUNLOG#${run.id}#` },
    }));
    const runItem = await store.getRun('contoso', run.id);
    expect(stored.Items).toHaveLength(7);
    for (const item of stored.Items!) expect(item.expiresAt).toBe(Math.floor(Date.parse(runItem!.expiresAt) / 1000));
    expect(stored.Items![0].sk).toBe(`RUNLOG#${run.id}#00000001`);
  });

  it('a run failed without its worker says why; a transition that loses its version check logs nothing', async () => {
    const { run } = await service.startRun({ tenantId: 'contoso', type: 'policy.sync', input: {}, initiator: alice, surface: 'api' });
    const claimed = (await claimRun(service, 'contoso', run.id, 60_000))!;
    // a stale writer (version 1) cannot commit, so no entry appears for it
    await expect(store.saveTransition(run, { ...claimed, version: 2 })).rejects.toMatchObject({ code: 'version_conflict' });
    await service.failRun('contoso', run.id, 'worker_lost', 'the worker stopped renewing its lease');
    const res = await api.call('GET', `/tenants/contoso/runs/${run.id}/timeline`, { user: 'alice' });
    expect(res.json.items.map((i: any) => i.kind)).toEqual(['queued', 'started', 'completed']);
    expect(res.json.items[2]).toMatchObject({ outcome: 'failed', code: 'worker_lost' });
  });

  it('an unknown run is a 404 problem, another tenant’s run too, bad paging a 400, and a stranger a 404 (a tenant is not revealed)', async () => {
    const { run } = await service.startRun({ tenantId: 'fabrikam', type: 'inventory.sync', input: {}, initiator: { userId: 'bob', name: 'Bob' }, surface: 'api' });
    const unknown = await api.call('GET', '/tenants/contoso/runs/01HZZZZZZZZZZZZZZZZZZZZZZZ/timeline', { user: 'carol' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('GET', `/tenants/contoso/runs/${run.id}/timeline`, { user: 'carol' })).status).toBe(404);
    expect((await api.call('GET', `/tenants/fabrikam/runs/${run.id}/timeline`, { user: 'bob' })).json.items[0].kind).toBe('queued');
    const bad = await api.call('GET', `/tenants/fabrikam/runs/${run.id}/timeline?limit=0`, { user: 'bob' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.call('GET', `/tenants/fabrikam/runs/${run.id}/timeline?cursor=forged`, { user: 'bob' })).status).toBe(400);
    expect((await api.call('GET', `/tenants/fabrikam/runs/${run.id}/timeline?extra=1`, { user: 'bob' })).status).toBe(400);
    expect((await api.call('GET', `/tenants/fabrikam/runs/${run.id}/timeline`, { user: 'carol' })).status).toBe(404);
  });
});

describe('a filtered runs page is filled on the server', () => {
  it('60 policy syncs where only every 10th came from the console: a page of 5 is full, and the next holds the rest', async () => {
    const tenant = 'contoso';
    const roomy = new RunStore(api.doc, api.runtime.tableName, () => new Date(), () => 1_000);
    const made: Array<{ id: string; surface: string }> = [];
    for (let i = 0; i < 60; i++) {
      const surface = i % 10 === 0 ? 'console' : 'api';
      const run = service.newRun({ tenantId: tenant, type: 'policy.sync', input: {}, initiator: alice, surface: surface as 'api' }, new Date(Date.now() - (60 - i) * 1000));
      // 60 active runs: past the default quota of 50, so this store is given room for them
      await roomy.createRun({ ...run, identityHash: `fill-${i}` });
      made.push({ id: run.id, surface });
    }
    const matching = made.filter((r) => r.surface === 'console').map((r) => r.id).reverse();
    expect(matching).toHaveLength(6);
    // type is served by the byType index; surface is then a FilterExpression over it
    const q = '?type=policy.sync&surface=console&limit=5';
    const first = await api.call('GET', `/tenants/${tenant}/runs${q}`, { user: 'alice' });
    expect(first.status).toBe(200);
    expect(first.json.items.map((r: any) => r.id)).toEqual(matching.slice(0, 5));
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const second = await api.call('GET', `/tenants/${tenant}/runs${q}&cursor=${encodeURIComponent(first.json.nextCursor)}`, { user: 'alice' });
    expect(second.json.items.map((r: any) => r.id)).toEqual(matching.slice(5));
    // empty only when nothing further matches
    if (second.json.nextCursor) {
      const third = await api.call('GET', `/tenants/${tenant}/runs${q}&cursor=${encodeURIComponent(second.json.nextCursor)}`, { user: 'alice' });
      expect(third.json).toEqual({ items: [], nextCursor: null });
    }
    // the same through the store: no match at all is an empty page without a cursor
    const none = await store.listRuns(tenant, { type: 'policy.sync', surface: 'schedule' }, 5);
    expect(none).toEqual({ items: [], nextCursor: null });
  });
});
