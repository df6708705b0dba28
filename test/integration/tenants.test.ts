/**
 * Issue 19, tenants: platform admins create and list tenants over HTTP; the credential goes to the
 * secret store only; creating a tenant starts a graph.connection_check that the local runtime's
 * worker runs against the simulated Graph; credential rotation promotes the pending credential only
 * when its check passes. Refused requests (401, 403, 400, 409) write nothing.
 */
import { auditPut } from '../../shared/audit/audit.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { selfSignedCertificate } from '../support/certificates.js';
import { keys } from '../../shared/store/keys.js';
import { localSecretBook } from '../../shared/graph/local-secret-book.js';
import { setSecretWriter, type SecretWriter } from '../../shared/graph/secret-store.js';
import { apiDeps, makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { credentialSecretName } from '../../shared/http/tenants.js';
import { settings } from '../../shared/settings.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { reconcileGraphSecrets } from '../../shared/tenants/secret-reconciler.js';
import { ulid } from 'ulid';
import { handler as sweepHandler } from '../../functions/events/secret-sweeper.js';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { GraphSim } from '../../infra/local/graph-sim.js';

let api: TestApi;
let sim: GraphSim;

beforeAll(async () => {
  api = await startTestRuntime({ background: true, visibilityTimeoutSeconds: 5 });
  sim = api.runtime.graphSim!;
}, 120_000);
afterAll(async () => {
  await api?.runtime.stop();
});

let n = 0;
const newTenantId = (stem: string) => `${stem}-${Date.now().toString(36)}-${++n}`;
const tenantBody = (tenantId: string, opts: { clientId?: string; secret?: string; credential?: unknown } = {}) => ({
  tenantId,
  name: `Tenant ${tenantId}`,
  graph: {
    cloud: 'global', directoryTenantId: randomUUID(), clientId: opts.clientId ?? randomUUID(),
    credential: opts.credential ?? { type: 'secret', secret: opts.secret ?? 'local-sim-secret' },
  },
});

async function completedRun(tenantId: string, runId: string, user = 'alice') {
  for (let i = 0; i < 600; i++) {
    const res = await api.call('GET', `/tenants/${tenantId}/runs/${runId}`, { user });
    expect(res.status).toBe(200);
    if (res.json.status === 'completed') return res.json;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${runId} did not complete`);
}

/** The table without the in-app notifications, which the notifier writes asynchronously after earlier runs. */
const tableState = async () => JSON.stringify((JSON.parse(await api.snapshot()) as Array<{ sk: string }>).filter((i) => !i.sk.startsWith('NOTIF')));

const profile = async (tenantId: string) => (await api.doc.send(new GetCommand({ TableName: api.runtime.tableName, Key: keys.tenant(tenantId), ConsistentRead: true }))).Item!;

/**
 * Records the refs the API puts and the deletions asked for, delegating to the local book;
 * `afterPut` runs once a secret is written (a concurrent request or a fault between the two writes).
 */
function recordingWriter(afterPut?: (ref: string) => Promise<void>) {
  const puts: string[] = [];
  const deletes: string[] = [];
  const writer: SecretWriter = {
    put: async (name, value) => { const ref = await localSecretBook().put(name, value); puts.push(ref); await afterPut?.(ref); return ref; },
    delete: async (ref) => { deletes.push(ref); await localSecretBook().delete(ref); },
  };
  return { writer, puts, deletes };
}

async function createTenant(body: ReturnType<typeof tenantBody>) {
  const res = await api.call('POST', '/tenants', { user: 'alice', body });
  expect(res.status, res.text).toBe(201);
  const run = await completedRun(body.tenantId, res.json.connectionCheck.run.id);
  return { res, run };
}

describe('POST /tenants (platform admins)', () => {
  it('creates the tenant, makes the creator its owner, stores the credential only in the secret store, and its connection check succeeds', async () => {
    const secret = `Sim~${randomUUID()}`;
    const body = tenantBody(newTenantId('tailspin'), { secret });
    sim.acceptCredential(body.tenantId, body.graph.clientId, secret);
    const { res, run } = await createTenant(body);
    expect(res.headers.get('location')).toBe(`/tenants/${body.tenantId}`);
    expect(res.json.tenant).toMatchObject({
      tenantId: body.tenantId, name: body.name,
      graph: { cloud: 'global', directoryTenantId: body.graph.directoryTenantId, clientId: body.graph.clientId, credential: { type: 'secret' } },
      createdBy: { userId: 'alice' },
    });
    expect(res.json.connectionCheck).toMatchObject({ run: { type: 'graph.connection_check', status: 'queued' }, viewUrl: `/console/tenants/${body.tenantId}/runs/${res.json.connectionCheck.run.id}` });
    expect(res.text).not.toContain(secret);
    // The creator is the owner: a membership item like every other.
    const me = await api.call('GET', '/me', { user: 'alice' });
    expect(me.json.memberships).toContainEqual({ tenantId: body.tenantId, tenantName: body.name, role: 'owner' });
    // The check read the organization and one page of each category.
    expect(run).toMatchObject({ outcome: 'succeeded', failureCount: 0, summaryCounts: { total: 7, processed: 7, readable: 7 } });
    // The table holds the secret's reference only; the secret store holds the agreed JSON.
    const item = await profile(body.tenantId);
    expect(item.graph.secretRef).toMatch(/^local:operation-runs\/graph\//);
    expect(await api.snapshot()).not.toContain(secret);
    expect(JSON.parse(localSecretBook().get(item.graph.secretRef.slice('local:'.length))!)).toEqual({ clientSecret: secret });
    // GET /tenants shows the last check, per category.
    const list = await api.call('GET', '/tenants?limit=100', { user: 'alice' });
    const listed = list.json.items.find((t: { tenantId: string }) => t.tenantId === body.tenantId);
    expect(listed.lastConnectionCheck).toMatchObject({ runId: run.id, status: 'succeeded', usedPendingCredential: false });
    expect(Object.values(listed.lastConnectionCheck.categories)).toEqual(Array(7).fill('readable'));
    expect(list.text).not.toContain('secretRef');
  });

  it('a category the app may not read: partially_succeeded with one graph_permission_missing failure naming it and its permission', async () => {
    sim.setFaults({ unavailable: [{ category: 'managedAppPolicies', status: 403 }], forbidden: ['organization'] });
    try {
      const { run } = await createTenant(tenantBody(newTenantId('perm')));
      expect(run.outcome).toBe('partially_succeeded');
      expect(run.failures).toEqual(expect.arrayContaining([
        expect.objectContaining({ code: 'graph_permission_missing', itemId: 'managedAppPolicies', message: expect.stringContaining('DeviceManagementApps.Read.All') }),
        expect.objectContaining({ code: 'graph_permission_missing', itemId: 'organization', message: expect.stringContaining('Organization.Read.All') }),
      ]));
      expect(run.failureCount).toBe(2);
      const item = await profile(run.tenantId);
      expect(item.lastConnectionCheck.categories).toMatchObject({ managedAppPolicies: 'missing_permission', organization: 'missing_permission', deviceConfigurations: 'readable' });
    } finally {
      sim.setFaults({});
    }
  });

  it('a credential the token endpoint refuses: the check fails with graph_auth_failed and no category is marked readable', async () => {
    const body = tenantBody(newTenantId('badcred'), { secret: 'not-the-registered-secret' });
    sim.acceptCredential(body.tenantId, body.graph.clientId, 'the-registered-secret');
    const { run } = await createTenant(body);
    expect(run.outcome).toBe('failed');
    expect(run.failures[0]).toMatchObject({ code: 'graph_auth_failed' });
    expect(JSON.stringify(run)).not.toContain('not-the-registered-secret');
    expect(Object.values((await profile(body.tenantId)).lastConnectionCheck.categories)).toEqual(Array(7).fill('not_checked'));
  });

  it('accepts a certificate credential (stored with its SHA-256 thumbprint), answers only its thumbprint, and its check signs in with it', async () => {
    const { certificatePem, privateKeyPem } = selfSignedCertificate();
    const body = tenantBody(newTenantId('certco'), { credential: { type: 'certificate', certificatePem, privateKeyPem } });
    // The app registration knows the certificate (as uploading it in Entra ID does): MSAL signs a client
    // assertion with the key, and the simulated token endpoint verifies it against this certificate.
    sim.registerCertificate(body.tenantId, certificatePem);
    const res = await api.call('POST', '/tenants', { user: 'alice', body });
    expect(res.status, res.text).toBe(201);
    expect(res.json.tenant.graph.credential).toMatchObject({ type: 'certificate', thumbprintSha256: expect.stringMatching(/^[0-9A-F]{64}$/) });
    expect(res.text).not.toContain('PRIVATE KEY');
    expect(await api.snapshot()).not.toContain('PRIVATE KEY');
    const stored = JSON.parse(localSecretBook().get((await profile(body.tenantId)).graph.secretRef.slice('local:'.length))!);
    expect(stored).toEqual({ certificatePem, privateKeyPem, thumbprintSha256: res.json.tenant.graph.credential.thumbprintSha256 });
    const check = await completedRun(body.tenantId, res.json.connectionCheck.run.id);
    expect(check, JSON.stringify(check.failures)).toMatchObject({ outcome: 'succeeded', failureCount: 0 });
    expect(JSON.stringify(check)).not.toContain('PRIVATE KEY');
  });

  it('409 for an existing tenant id, 400 for bad bodies, 403 for non-admins, 401 without a token — and none of them writes', async () => {
    const { certificatePem, privateKeyPem } = selfSignedCertificate();
    const other = selfSignedCertificate('another');
    const ok = tenantBody(newTenantId('refused'));
    const bad: unknown[] = [
      { ...ok, tenantId: 'Not A Slug' },
      { ...ok, tenantId: '-leading' },
      { ...ok, extra: 1 },
      { ...ok, graph: { ...ok.graph, cloud: 'moon' } },
      { ...ok, graph: { ...ok.graph, clientId: 'not-a-guid' } },
      { ...ok, graph: { ...ok.graph, directoryTenantId: 'no spaces allowed' } },
      { ...ok, graph: { ...ok.graph, credential: { type: 'password', secret: 'x'.repeat(20) } } },
      { ...ok, graph: { ...ok.graph, credential: { type: 'secret', secret: 'short' } } },
      { ...ok, graph: { ...ok.graph, credential: { type: 'certificate', certificatePem: 'garbage', privateKeyPem } } },
      { ...ok, graph: { ...ok.graph, credential: { type: 'certificate', certificatePem, privateKeyPem: other.privateKeyPem } } },
      { ...ok, graph: { ...ok.graph, credential: { type: 'certificate', certificatePem: certificatePem.replace(/[A-Za-z]{12}/, 'AAAAAAAAAAAA'), privateKeyPem } } },
      { tenantId: ok.tenantId, name: ok.name },
    ];
    const before = await tableState();
    for (const body of bad) {
      const res = await api.call('POST', '/tenants', { user: 'alice', body });
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.text).not.toContain('PRIVATE KEY');
    }
    const mismatch = await api.call('POST', '/tenants', { user: 'alice', body: bad[9] });
    expect(mismatch.json.errors).toContainEqual({ path: 'graph.credential.privateKeyPem', message: 'does not belong to the certificate' });
    const exists = await api.call('POST', '/tenants', { user: 'alice', body: { ...ok, tenantId: 'contoso' } });
    expect(exists.status).toBe(409);
    expect(exists.json.detail).toMatch(/contoso/);
    for (const user of ['bob', 'carol', 'dave']) {
      expect((await api.call('POST', '/tenants', { user, body: ok })).status).toBe(403);
      expect((await api.call('GET', '/tenants', { user })).status).toBe(403);
    }
    expect((await api.call('POST', '/tenants', { body: ok })).status).toBe(401);
    expect((await api.call('GET', '/tenants')).status).toBe(401);
    expect(await tableState()).toBe(before);
  });

  it('GET /tenants pages through every tenant by id with a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api.call('GET', `/tenants?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { user: 'alice' });
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.json.items.map((t: { tenantId: string }) => t.tenantId));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['contoso', 'fabrikam']));
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect((await api.call('GET', '/tenants?limit=0', { user: 'alice' })).status).toBe(400);
  });
});

describe('PUT /tenants/{t}/graph-credential (owner)', () => {
  async function connected(stem: string) {
    const clientId = randomUUID();
    const first = `first-${randomUUID()}`;
    const body = tenantBody(newTenantId(stem), { clientId, secret: first });
    sim.acceptCredential(body.tenantId, clientId, first);
    const { run } = await createTenant(body);
    expect(run.outcome).toBe('succeeded');
    return { tenantId: body.tenantId, clientId, firstRef: (await profile(body.tenantId)).graph.secretRef as string };
  }

  async function inventorySync(tenantId: string) {
    const res = await api.call('POST', `/tenants/${tenantId}/runs`, { user: 'alice', body: { type: 'inventory.sync', input: {} } });
    expect(res.status).toBe(202);
    return completedRun(tenantId, res.json.run.id);
  }

  it('the new credential is checked under a new ref and becomes current when its check succeeds', async () => {
    const { tenantId, clientId, firstRef } = await connected('rotate-ok');
    const second = `second-${randomUUID()}`;
    sim.acceptCredential(tenantId, clientId, second);
    const res = await api.call('PUT', `/tenants/${tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: second } } });
    expect(res.status, res.text).toBe(202);
    expect(res.json.run).toMatchObject({ type: 'graph.connection_check', input: { credential: 'pending' } });
    expect(res.text).not.toContain(second);
    const run = await completedRun(tenantId, res.json.run.id);
    expect(run.outcome).toBe('succeeded');
    const item = await profile(tenantId);
    expect(item.graph.secretRef).not.toBe(firstRef);
    expect(item.pendingCredential).toBeUndefined();
    expect(item.lastConnectionCheck).toMatchObject({ runId: run.id, status: 'succeeded', usedPendingCredential: true });
    expect(JSON.parse(localSecretBook().get(item.graph.secretRef.slice('local:'.length))!)).toEqual({ clientSecret: second });
    // Every later run signs in with the new credential.
    expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
    // The rotation is audited once (who, and the credential's type before and after, never its value).
    const audit = await api.call('GET', `/tenants/${tenantId}/audit`, { user: 'alice' });
    expect(audit.json.items.map((e: { action: string }) => e.action)).toEqual(['credential.rotated', 'tenant.created']);
    expect(audit.json.items[0]).toMatchObject({ actor: { userId: 'alice' }, before: { graphCredential: { type: 'secret' } }, after: { graphCredential: { type: 'secret' } } });
    expect(audit.text).not.toContain(second);
  });

  it('a credential whose check fails is dropped; the old one keeps working', async () => {
    const { tenantId, firstRef } = await connected('rotate-bad');
    const res = await api.call('PUT', `/tenants/${tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: `wrong-${randomUUID()}` } } });
    expect(res.status, res.text).toBe(202);
    const run = await completedRun(tenantId, res.json.run.id);
    expect(run).toMatchObject({ outcome: 'failed', failures: [expect.objectContaining({ code: 'graph_auth_failed' })] });
    const item = await profile(tenantId);
    expect(item.graph.secretRef).toBe(firstRef);
    expect(item.pendingCredential).toBeUndefined();
    expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
  });

  // Issue 19 follow-up: the secret sweeper (a second stream consumer) deletes the superseded credential.
  const secretOf = (ref: string) => localSecretBook().get(ref.slice('local:'.length));
  /** Waits until the local book has forgotten `ref` (the sweeper runs after the terminal write, from the stream). */
  async function goneFromBook(ref: string) {
    for (let i = 0; i < 600 && secretOf(ref) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    expect(secretOf(ref), `${ref} is still in the secret book`).toBeUndefined();
  }
  const profileRecord = (tenantId: string, before: object, after: object) => ({
    eventName: 'MODIFY' as const,
    dynamodb: { Keys: marshall(keys.tenant(tenantId)) as never, OldImage: marshall({ ...keys.tenant(tenantId), ...before }) as never, NewImage: marshall({ ...keys.tenant(tenantId), ...after }) as never, SequenceNumber: `${Date.now()}` },
  });

  it('after a successful rotation the old secret is deleted and the new one works; a replayed or duplicate deletion is harmless', async () => {
    const { tenantId, clientId, firstRef } = await connected('sweep-ok');
    expect(secretOf(firstRef)).toBeDefined();
    const second = `second-${randomUUID()}`;
    sim.acceptCredential(tenantId, clientId, second);
    const res = await api.call('PUT', `/tenants/${tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: second } } });
    expect(res.status, res.text).toBe(202);
    expect((await completedRun(tenantId, res.json.run.id)).outcome).toBe('succeeded');
    const newRef = (await profile(tenantId)).graph.secretRef as string;
    expect(newRef).not.toBe(firstRef);
    await goneFromBook(firstRef);
    expect(JSON.parse(secretOf(newRef)!)).toEqual({ clientSecret: second });
    expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
    // The promotion's stream record delivered again: the old secret is already gone, nothing fails.
    const replay = profileRecord(tenantId, { graph: { secretRef: firstRef }, pendingCredential: { secretRef: newRef } }, { graph: { secretRef: newRef } });
    expect(await sweepHandler({ Records: [replay, replay] })).toEqual({ batchItemFailures: [] });
    // A record saying the CURRENT ref was superseded (out of order, replayed) deletes nothing: the profile is read again.
    const stale = profileRecord(tenantId, { graph: { secretRef: newRef } }, { graph: { secretRef: `local:never/${randomUUID()}` } });
    expect(await sweepHandler({ Records: [stale] })).toEqual({ batchItemFailures: [] });
    expect(JSON.parse(secretOf(newRef)!)).toEqual({ clientSecret: second });
    expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
  });

  it('after a failed check the pending secret is deleted and the old one keeps working', async () => {
    const { tenantId, firstRef } = await connected('sweep-bad');
    const rec = recordingWriter();
    setSecretWriter(rec.writer);
    try {
      const res = await api.call('PUT', `/tenants/${tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: `wrong-${randomUUID()}` } } });
      expect(res.status, res.text).toBe(202);
      expect(rec.puts).toHaveLength(1);
      const pendingRef = rec.puts[0];
      expect(secretOf(pendingRef)).toBeDefined();
      expect((await completedRun(tenantId, res.json.run.id)).outcome).toBe('failed');
      await goneFromBook(pendingRef);
      expect(rec.deletes).toEqual([pendingRef]);
      expect((await profile(tenantId)).graph.secretRef).toBe(firstRef);
      expect(secretOf(firstRef)).toBeDefined();
      expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
    } finally {
      setSecretWriter(undefined);
    }
  });

  it('while a rotated credential waits for its check, other runs use the current one, and a second rotation is refused (409, nothing written)', async () => {
    const { tenantId, firstRef } = await connected('rotate-wait');
    // A pending credential that would not sign in, as a rotation leaves it before its check ran.
    const pendingRef = await localSecretBook().put(`test/${tenantId}`, JSON.stringify({ clientSecret: 'pending-but-wrong' }));
    const { DirectoryStore } = await import('../../shared/store/directory-store.js');
    const dir = new DirectoryStore(api.doc, api.runtime.tableName);
    expect(await dir.setPendingCredential(tenantId, { secretRef: pendingRef, credential: { type: 'secret' }, since: new Date().toISOString() }, new Date(Date.now() - 3_600_000).toISOString(), auditPut({ tenantId, actor: { userId: 'alice', name: 'Alice Admin' }, action: 'credential.rotated', target: { type: 'tenant', id: tenantId, label: tenantId } }, new Date()))).toBe(true);
    expect((await inventorySync(tenantId)).outcome).toBe('succeeded');
    const check = await api.call('POST', `/tenants/${tenantId}/runs`, { user: 'alice', body: { type: 'graph.connection_check', input: {} } });
    expect((await completedRun(tenantId, check.json.run.id)).outcome).toBe('succeeded');
    const before = await tableState();
    const again = await api.call('PUT', `/tenants/${tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: `third-${randomUUID()}` } } });
    expect(again.status).toBe(409);
    expect(await tableState()).toBe(before);
    expect((await profile(tenantId)).graph.secretRef).toBe(firstRef);
  });
});

// Issue 19 follow-up: a secret written by a request that is then refused, or whose table write fails,
// is not left live (a credential outside any tenant's reference); the reconciler is the net for a crash.
describe('a refused or failed tenant request leaves no live secret', () => {
  const nameOf = (ref: string) => ref.slice('local:'.length);
  /** The ref's secret is no longer readable and its deletion is scheduled (the recovery window), as DeleteSecret leaves it. */
  function expectScheduledForDeletion(ref: string) {
    expect(localSecretBook().get(nameOf(ref)), `${ref} is still live`).toBeUndefined();
    expect(localSecretBook().describe(nameOf(ref))?.deletionDate, `${ref} has no scheduled deletion`).toBeDefined();
  }
  const problemOf = (res: { status: number; headers: Headers; json: any }) =>
    ({ status: res.status, contentType: res.headers.get('content-type'), type: res.json.type, title: res.json.title, detail: res.json.detail });
  const dir = () => new DirectoryStore(api.doc, api.runtime.tableName);
  async function withWriter<T>(w: SecretWriter, f: () => Promise<T>): Promise<T> {
    setSecretWriter(w);
    try {
      return await f();
    } finally {
      setSecretWriter(undefined);
    }
  }

  it('POST /tenants that loses the creation to a concurrent request answers the same 409 and its secret is scheduled for deletion', async () => {
    const body = tenantBody(newTenantId('race'));
    let winner: { status: number; text: string } | undefined;
    // The concurrent request runs while ours is between its secret write and its transaction.
    const rec = recordingWriter(async () => {
      if (winner) return;
      winner = { status: 0, text: '' };
      winner = await api.call('POST', '/tenants', { user: 'alice', body });
    });
    const lost = await withWriter(rec.writer, () => api.call('POST', '/tenants', { user: 'alice', body }));
    expect(winner?.status, winner?.text).toBe(201);
    expect(lost.status, lost.text).toBe(409);
    const [loserRef, winnerRef] = rec.puts;
    expect(rec.puts).toHaveLength(2);
    expect((await profile(body.tenantId)).graph.secretRef).toBe(winnerRef);
    expectScheduledForDeletion(loserRef);
    expect(localSecretBook().get(nameOf(winnerRef))).toBeDefined();
    // The same answer as a 409 refused before anything was written (which writes no secret at all).
    const plain = await withWriter(rec.writer, () => api.call('POST', '/tenants', { user: 'alice', body }));
    expect(problemOf(lost)).toEqual(problemOf(plain));
    expect(rec.puts).toHaveLength(2);
  });

  it('POST /tenants whose table write throws answers 500, creates no tenant, and its secret is scheduled for deletion', async () => {
    const body = tenantBody(newTenantId('faulty'));
    const original = apiDeps();
    // Fault injection: this client's transactions fail as a DynamoDB outage would; its reads work.
    const doc = makeDocumentClient(makeDynamoClient(api.runtime.dynamoEndpoint));
    doc.middlewareStack.add((next) => async (args) => {
      if ((args.input as { TransactItems?: unknown }).TransactItems) throw Object.assign(new Error('injected: the transaction failed'), { name: 'InternalServerError' });
      return next(args);
    }, { step: 'initialize', name: 'failTransactions' });
    const rec = recordingWriter();
    setApiDeps(makeApiDeps({ doc, table: original.table, queue: original.queue }));
    let res;
    try {
      res = await withWriter(rec.writer, () => api.call('POST', '/tenants', { user: 'alice', body }));
    } finally {
      setApiDeps(original);
    }
    expect(res.status, res.text).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.text).not.toContain('injected');
    expect(await dir().getTenant(body.tenantId, { consistent: true })).toBeNull();
    expect(rec.puts).toHaveLength(1);
    expect(rec.deletes).toEqual(rec.puts);
    expectScheduledForDeletion(rec.puts[0]);
  });

  it('a rotation that loses its conditional write to a concurrent one answers 409 and its secret is scheduled for deletion; the other stays pending', async () => {
    const body = tenantBody(newTenantId('rotate-race'));
    await createTenant(body);
    const currentRef = (await profile(body.tenantId)).graph.secretRef as string;
    let otherRef = '';
    const rec = recordingWriter(async () => {
      if (otherRef) return;
      otherRef = await localSecretBook().put(credentialSecretName(body.tenantId, ulid()), JSON.stringify({ clientSecret: 'fake-pending-other' }));
      const audit = auditPut({ tenantId: body.tenantId, actor: { userId: 'alice', name: 'Alice Admin' }, action: 'credential.rotated', target: { type: 'tenant', id: body.tenantId, label: body.name } }, new Date());
      expect(await dir().setPendingCredential(body.tenantId, { secretRef: otherRef, credential: { type: 'secret' }, since: new Date().toISOString() }, new Date(Date.now() - 3_600_000).toISOString(), audit)).toBe(true);
    });
    const res = await withWriter(rec.writer, () => api.call('PUT', `/tenants/${body.tenantId}/graph-credential`, { user: 'alice', body: { credential: { type: 'secret', secret: `lost-${randomUUID()}` } } }));
    expect(res.status, res.text).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(rec.puts).toHaveLength(1);
    expectScheduledForDeletion(rec.puts[0]);
    const now = await profile(body.tenantId);
    expect(now.pendingCredential.secretRef).toBe(otherRef);
    expect(now.graph.secretRef).toBe(currentRef);
    expect(localSecretBook().get(nameOf(otherRef))).toBeDefined();
    expect(localSecretBook().get(nameOf(currentRef))).toBeDefined();
  });

  it('the orphan reconciler deletes a secret no tenant names once past the grace period, and keeps a young one and the ones tenants name', async () => {
    const body = tenantBody(newTenantId('orphan'));
    await createTenant(body);
    const currentRef = (await profile(body.tenantId)).graph.secretRef as string;
    // What a request that died between its secret write and its table write leaves behind.
    const orphanRef = await localSecretBook().put(credentialSecretName(body.tenantId, ulid()), JSON.stringify({ clientSecret: 'fake-orphaned' }));
    const graceMs = settings().graphSecretOrphanGraceMinutes * 60_000;
    const deps = { getTenant: (t: string) => dir().getTenant(t, { consistent: true }), secrets: localSecretBook(), lister: localSecretBook(), prefix: settings().graphSecretPrefix, graceMs };
    const young = await reconcileGraphSecrets({ ...deps, now: new Date() });
    expect(young.deleted).not.toContain(orphanRef);
    expect(localSecretBook().get(nameOf(orphanRef))).toBeDefined();
    const later = await reconcileGraphSecrets({ ...deps, now: new Date(Date.now() + graceMs + 60_000) });
    expect(later.deleted).toContain(orphanRef);
    expect(later.deleted).not.toContain(currentRef);
    expectScheduledForDeletion(orphanRef);
    expect(localSecretBook().get(nameOf(currentRef))).toBeDefined();
    // Every tenant's own credential survived: none the reconciler deleted is named by a tenant.
    for (const t of ['contoso', 'fabrikam', body.tenantId]) {
      const p = await dir().getTenant(t, { consistent: true });
      for (const ref of [p?.graph?.secretRef, p?.pendingCredential?.secretRef]) if (ref) expect(later.deleted).not.toContain(ref);
    }
  });
});
