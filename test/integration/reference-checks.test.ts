/**
 * Reference checks in the start transaction (shared/store/reference-checks.ts): a start that names a
 * backup set (backup_set.add_policies, drift.generate with a baseline) does not read the set first;
 * DynamoDB checks it inside the run's own TransactWriteItems (a ConditionCheck). Through the real
 * start-run handler: the SDK calls of a start, the 422 for an unknown or deleted set with nothing
 * written (no run, no key, no domain row, the quota counter unchanged), and the answers' precedence —
 * dedupe first, then the reference, then the quota.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { testEnv } from '../support/services.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { seedDemo } from '../../infra/local/seed.js';
import { callRoute } from '../support/route-call.js';
import { keys, tenantPk } from '../../shared/store/keys.js';
import { settings } from '../../shared/settings.js';

let env: Awaited<ReturnType<typeof testEnv>>;
interface Sent { name: string; input: any }
let sent: Sent[] = [];

beforeAll(async () => {
  env = await testEnv();
  setApiDeps(makeApiDeps({ doc: env.doc, table: env.table, queue: env.queue }));
  await seedDemo({ doc: env.doc, table: env.table });
  for (const client of [env.dynamo, env.sqs] as Array<{ middlewareStack: { add: (...a: any[]) => void } }>) {
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: unknown }) => {
        sent.push({ name: (context.commandName ?? '').replace(/Command$/, ''), input: args.input });
        return next(args);
      },
      { step: 'initialize', name: 'reference-checks-recorder' },
    );
  }
});
afterAll(() => setApiDeps(undefined));

const RUNS = '/tenants/{tenantId}/runs';
const SETS = '/tenants/{tenantId}/backup-sets';
const contoso = { tenantId: 'contoso' };
const GHOST = '01J0000000000000000000GH0S';
const gid = (n: number) => `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`;

async function start(body: unknown) {
  sent = [];
  const res = await callRoute('POST', RUNS, contoso, { user: 'alice', body });
  return { res, calls: sent.map((c) => c.name), sent: [...sent] };
}
const activeRuns = async () =>
  (await env.doc.send(new GetCommand({ TableName: env.table, Key: keys.activeRunCount('contoso') }))).Item?.activeRuns ?? 0;
const rowsWithPrefix = async (prefix: string) =>
  (await env.doc.send(new QueryCommand({
    TableName: env.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': tenantPk('contoso'), ':p': prefix },
  }))).Items ?? [];
const newSet = async (name: string) => (await callRoute('POST', SETS, contoso, { user: 'alice', body: { name } })).body.id as string;

describe('a start that names a backup set', () => {
  it('reads no backup set: the set is a ConditionCheck of the start transaction', async () => {
    const setId = await newSet('checked in the transaction');
    const { res, calls, sent: s } = await start({ type: 'backup_set.add_policies', input: { backupSetId: setId, policyIds: [gid(1)] } });
    expect(res.status).toBe(202);
    expect(calls).toEqual(['GetItem', 'TransactWriteItems', 'SendMessage']); // membership, the transaction, the enqueue
    const tx = s.find((c) => c.name === 'TransactWriteItems')!.input.TransactItems as Array<Record<string, any>>;
    const checks = tx.filter((i) => i.ConditionCheck);
    expect(checks).toHaveLength(1);
    expect(checks[0].ConditionCheck).toMatchObject({ Key: { pk: 'TENANT#contoso', sk: `BACKUPSET#${setId}` }, ConditionExpression: 'attribute_exists(pk)' });

    const drift = await start({ type: 'drift.generate', input: { baselineBackupSetId: setId } });
    expect(drift.res.status).toBe(202);
    expect(drift.calls).toEqual(['GetItem', 'TransactWriteItems', 'SendMessage']);
  });

  it.each([
    ['backup_set.add_policies', { backupSetId: GHOST, policyIds: [gid(2)] }, 'input.backupSetId', 'BACKUPSETADD#'],
    ['drift.generate', { baselineBackupSetId: GHOST }, 'input.baselineBackupSetId', 'DRIFTREPORT#'],
  ])('%s naming an unknown set: 422 problem+json, nothing written', async (type, input, path, rowPrefix) => {
    const before = { count: await activeRuns(), rows: (await rowsWithPrefix(rowPrefix)).length, keys: (await rowsWithPrefix(`ACTIVEKEY#${type}#`)).length };
    const { res, calls } = await start({ type, input });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(new RegExp(`backup set ${GHOST} does not exist`));
    expect(res.body.errors).toEqual([expect.objectContaining({ path })]);
    expect(calls).toEqual(['GetItem', 'TransactWriteItems']); // no read of the set, no enqueue
    expect(await activeRuns()).toBe(before.count);
    expect((await rowsWithPrefix(rowPrefix)).length).toBe(before.rows);
    expect((await rowsWithPrefix(`ACTIVEKEY#${type}#`)).length).toBe(before.keys);
    expect((await env.store.listRuns('contoso', { type }, 100)).items.filter((r) => JSON.stringify(r).includes(GHOST))).toHaveLength(0);
  });

  it('a set deleted after it was created is unknown to the next start', async () => {
    const setId = await newSet('deleted next');
    await env.doc.send(new DeleteCommand({ TableName: env.table, Key: keys.backupSet('contoso', setId) }));
    const { res } = await start({ type: 'backup_set.add_policies', input: { backupSetId: setId, policyIds: [gid(3)] } });
    expect(res.status).toBe(422);
  });

  it('dedupe answers before the reference, the reference before the quota', async () => {
    const setId = await newSet('precedence');
    const body = { type: 'backup_set.add_policies', input: { backupSetId: setId, policyIds: [gid(4)] } };
    const first = await start(body);
    expect(first.res.status).toBe(202);
    const limit = settings().quotas.maxActiveRunsPerTenant;
    const counter = (await env.doc.send(new GetCommand({ TableName: env.table, Key: keys.activeRunCount('contoso') }))).Item!;
    await env.doc.send(new PutCommand({ TableName: env.table, Item: { ...counter, activeRuns: limit } })); // the tenant's quota is full
    try {
      // the identical start is the same run (200), even with the quota full
      const again = await start(body);
      expect(again.res.status).toBe(200);
      expect(again.res.body.run.id).toBe(first.res.body.run.id);
      // an unknown set is 422, not 429
      expect((await start({ type: 'backup_set.add_policies', input: { backupSetId: GHOST, policyIds: [gid(5)] } })).res.status).toBe(422);
      // a known set past the quota is 429
      expect((await start({ type: 'backup_set.add_policies', input: { backupSetId: setId, policyIds: [gid(6)] } })).res.status).toBe(429);
    } finally {
      await env.doc.send(new PutCommand({ TableName: env.table, Item: counter }));
    }
  });
});
