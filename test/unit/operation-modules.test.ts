/**
 * One module per operation type (shared/operations/index.ts): every listed type has every piece, the
 * list covers exactly the catalog's types, and GET /operation-types is built from the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import * as z from '../../shared/zod.js';
import { sampleRun } from '../support/sample-run.js';
import { CATALOG, DOMAIN_ROWS, OPERATION_STARTS, OPERATION_TYPES, inputSchemas, isOperationType, operationTypeList, planStart, type OperationType } from '../../shared/operations/catalog.js';
import { EXECUTORS, OPERATION_MODULES } from '../../shared/operations/index.js';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { handler as listOperationTypes } from '../../functions/api/list-operation-types.js';
import { ROLES } from '../../shared/runs/model.js';
import type { Stores } from '../../shared/store/stores.js';
import { isCompanionUpdate, type CompanionCheck, type CompanionWrite } from '../../shared/runs/ports.js';
import { MAX_PROJECTED_ITEMS } from '../../shared/operations/module.js';

// Written out on purpose: the list must match this union, not be compared with itself.
const EXPECTED: OperationType[] = [
  'inventory.sync', 'policy.sync', 'directory_groups.sync', 'drift.generate',
  'backup_set.add_policies', 'backup_schedule.run_now', 'backup_schedule.retry', 'restore.execute',
  'graph.connection_check',
];

describe('the operation modules list', () => {
  it('covers exactly the OperationType union, each type once, in the same order as the catalog', () => {
    const listed = OPERATION_MODULES.map((m) => m.definition.type);
    expect(listed).toEqual(EXPECTED);
    expect(new Set(listed).size).toBe(listed.length);
    expect(OPERATION_STARTS.map((s) => s.definition.type)).toEqual(listed);
    expect(OPERATION_TYPES).toEqual(listed);
  });

  it.each(OPERATION_MODULES.map((m) => [m.definition.type, m] as const))('%s has a definition, a schema, a plan and an executor', (type, m) => {
    expect(m.definition).toMatchObject({ type, label: expect.any(String), minimumRole: expect.any(String) });
    expect(m.definition.label.length).toBeGreaterThan(0);
    expect(ROLES).toContain(m.definition.minimumRole);
    expect(m.definition.schema).toBeInstanceOf(z.ZodMiniObject);
    expect(typeof m.definition.identity).toBe('function');
    expect(typeof m.plan).toBe('function');
    expect(m.executor.type).toBe(type);
    expect(typeof m.executor.processChunk).toBe('function');
    expect(typeof m.executor.initialCursor).toBe('function');
    expect(Array.isArray(m.executor.countNames)).toBe(true);
  });

  it('derives the catalog, the schemas, the executor map and the plans from the modules', () => {
    for (const m of OPERATION_MODULES) {
      const type = m.definition.type;
      const start = OPERATION_STARTS.find((s) => s.definition.type === type)!;
      expect(start.definition).toBe(m.definition);
      expect(start.plan).toBe(m.plan);
      expect(CATALOG[type]).toEqual({ ...m.definition, project: m.records.project });
      expect(CATALOG[type].project).toBe(m.records.project);
      expect(inputSchemas[type]).toBe(m.definition.schema);
      expect(EXECUTORS[type]).toBe(m.executor);
      expect(isOperationType(type)).toBe(true);
    }
    expect(Object.keys(CATALOG).sort()).toEqual([...EXPECTED].sort());
    expect(Object.keys(EXECUTORS).sort()).toEqual([...EXPECTED].sort());
    expect(isOperationType('nope.sync')).toBe(false);
    expect(isOperationType('toString')).toBe(false);
  });

  it('planStart runs the type\'s own plan: a reference read answers 422 before any write; a reference check joins the transaction', async () => {
    const MISSING = '01J00000000000000000000000';
    const calls: string[] = [];
    const stores = { backups: { getSet: async (t: string, id: string) => { calls.push(`getSet ${t} ${id}`); return null; } } } as unknown as Stores;
    // restore.execute reads the set (it needs its item count): unknown → 422 from the plan itself
    const err = await planStart('restore.execute', 'contoso', { backupSetId: MISSING }, { stores, clock: () => new Date() }).catch((e) => e);
    expect(err).toMatchObject({ name: expect.stringMatching(/Precondition/) });
    expect(calls).toEqual([`getSet contoso ${MISSING}`]);
    // backup_set.add_policies reads nothing: the set is a ConditionCheck of its start transaction,
    // whose refusal is the same 422
    const add = await planStart('backup_set.add_policies', 'contoso', { backupSetId: MISSING, policyIds: ['p'] }, { stores, clock: () => new Date() });
    expect(calls).toEqual([`getSet contoso ${MISSING}`]);
    const [check, row] = add.companions!(sampleRun('backup_set.add_policies', 'queued')) as [CompanionCheck, unknown];
    expect(check).toMatchObject({ name: 'backupSet', Check: { Key: { pk: 'TENANT#contoso', sk: `BACKUPSET#${MISSING}` }, ConditionExpression: 'attribute_exists(pk)' } });
    expect(check.refusal()).toMatchObject({ code: 'precondition_failed', errors: [{ path: 'input.backupSetId', message: 'unknown backup set' }] });
    expect(row).toMatchObject({ Item: expect.objectContaining({ kind: 'backupSetAdd' }) });
    // An id that could not be a key segment of ours names no record: the same 422, with no read and no key built from it
    for (const [type, input] of [['restore.execute', { backupSetId: 'no such set' }], ['backup_set.add_policies', { backupSetId: `${MISSING}#ITEM#x`, policyIds: ['p'] }]] as const) {
      expect(await planStart(type, 'contoso', input, { stores, clock: () => new Date() }).catch((e) => e)).toMatchObject({ code: 'precondition_failed', errors: [{ path: 'input.backupSetId' }] });
    }
    expect(calls).toEqual([`getSet contoso ${MISSING}`]);
    // A type without references reads nothing; its plan adds only its domain run row (the sync history).
    const plan = await planStart('inventory.sync', 'contoso', {}, { stores, clock: () => new Date() });
    expect(calls).toEqual([`getSet contoso ${MISSING}`]);
    expect(plan.context).toBeUndefined();
    const run = sampleRun('inventory.sync', 'queued');
    expect(plan.companions!(run)).toEqual([{
      Item: expect.objectContaining({ pk: 'TENANT#contoso', sk: `SYNCRUN#inventory#${run.id}`, kind: 'syncRun', runId: run.id, status: 'queued', completedAt: null, expiresAt: Math.floor(Date.parse(run.expiresAt) / 1000) }),
      ConditionExpression: 'attribute_not_exists(pk)',
    }]);
  });
});

describe('every module declares its domain rows and a projection (issue 14)', () => {
  const statusOf = (c: CompanionWrite) => (isCompanionUpdate(c) ? c.Update.ExpressionAttributeValues?.[':s'] : undefined);
  const outcomes = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const;

  it.each(OPERATION_MODULES.map((m) => [m.definition.type, m] as const))('%s: rows declared with a retention; the projection follows the run', (type, m) => {
    expect(m.records.rows.length).toBeGreaterThan(0);
    for (const row of m.records.rows) expect(['run', 'subject']).toContain(row.retention);
    expect(DOMAIN_ROWS[type]).toBe(m.records.rows);
    const running = m.records.project(sampleRun(type, 'running'));
    // The run row says running as soon as the run is claimed.
    expect(running.map(statusOf)).toContain('running');
    for (const outcome of outcomes) {
      const done = m.records.project(sampleRun(type, 'completed', outcome));
      // A few items: they share one TransactWriteItems (≤ 100) with the run, its key and other engineers' items.
      expect(done.length).toBeGreaterThan(0);
      expect(done.length).toBeLessThanOrEqual(MAX_PROJECTED_ITEMS);
      for (const c of done) {
        expect(isCompanionUpdate(c)).toBe(true);
        if (!isCompanionUpdate(c)) continue;
        // Never resurrects a deleted row; a row may add its own guard (the tenant profile: which check is newest, which credential was tested).
        expect(c.Update.ConditionExpression).toMatch(/^attribute_exists\(pk\)( AND .+)?$/);
        const values = c.Update.ExpressionAttributeValues ?? {};
        expect(values[':at'] ?? (values[':lc'] as { completedAt?: string } | undefined)?.completedAt).toBe('2026-01-01T00:00:09.000Z');
        expect(m.records.rows.map((r) => r.kind)).toContain(c.name);
      }
      // The run row's status is the run's outcome (a backup set maps it to its own words).
      expect(done.filter((c) => isCompanionUpdate(c) && c.name !== 'backupSet' && c.name !== 'tenant').map(statusOf)).toEqual([outcome]);
      const tenant = done.find((c) => isCompanionUpdate(c) && c.name === 'tenant');
      if (tenant && isCompanionUpdate(tenant)) expect(tenant.Update.ExpressionAttributeValues?.[':lc']).toMatchObject({ status: outcome });
      const set = done.find((c) => isCompanionUpdate(c) && c.name === 'backupSet');
      if (set) expect(statusOf(set)).toBe({ succeeded: 'complete', partially_succeeded: 'complete', failed: 'failed', cancelled: 'cancelled' }[outcome]);
    }
  });
});

describe('GET /operation-types is built from the list', () => {
  beforeAll(() => {
    // The handler needs no table for this route; the client points nowhere and is never called.
    const doc = makeDocumentClient(makeDynamoClient('http://127.0.0.1:9'));
    setApiDeps(makeApiDeps({ doc, table: 'unused', queue: { send: async () => undefined } }));
  });
  afterAll(() => setApiDeps(undefined));

  it('operationTypeList() follows the modules list', () => {
    expect(operationTypeList()).toEqual(OPERATION_MODULES.map(({ definition: d }) => ({
      type: d.type, label: d.label, minimumRole: d.minimumRole, inputSchema: z.toJSONSchema(d.schema),
    })));
  });

  it('the handler answers the list to a signed-in user', async () => {
    const path = '/operation-types';
    const res = (await listOperationTypes({
      version: '2.0', routeKey: `GET ${path}`, rawPath: path, rawQueryString: '', headers: {}, isBase64Encoded: false,
      requestContext: { requestId: 'test', routeKey: `GET ${path}`, http: { method: 'GET', path }, authorizer: { jwt: { claims: { sub: 'carol', name: 'carol' }, scopes: [] } } },
    } as never, lambdaContext('test', 10))) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body!);
    expect(body.items.map((i: { type: string }) => i.type)).toEqual(OPERATION_MODULES.map((m) => m.definition.type));
    expect(body.items).toEqual(JSON.parse(JSON.stringify(operationTypeList())));
    expect(body.items.find((i: { type: string }) => i.type === 'restore.execute')).toMatchObject({ label: 'Restore', minimumRole: 'manager' });
  });
});

describe('the start path loads definitions and plans only', () => {
  const inputsOf = async (entry: string) => Object.keys((await build({
    entryPoints: [entry], bundle: true, write: false, platform: 'node', format: 'esm', metafile: true, logLevel: 'silent', packages: 'external',
  })).metafile!.inputs);

  it('POST /tenants/{t}/runs bundles no executor and no Graph client', async () => {
    const inputs = await inputsOf('functions/api/start-run.ts');
    expect(inputs).toContain('shared/operations/catalog.ts');
    expect(inputs).toContain('shared/operations/restore-execute.definition.ts');
    expect(inputs.filter((p) => p.startsWith('shared/graph/') || p === 'shared/operations/index.ts' || p === 'shared/operations/executor.ts')).toEqual([]);
  });

  it('the rule can fail: the worker does bundle the executors', async () => {
    const inputs = await inputsOf('functions/workers/run-worker.ts');
    expect(inputs).toContain('shared/operations/index.ts');
    expect(inputs).toContain('shared/operations/restore-execute.ts');
  });
});
