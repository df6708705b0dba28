/**
 * The notifier and the notification endpoints against DynamoDB Local: one notification per
 * (run, kind) to the initiator only, and a caller only ever sees and marks their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { makeApiDeps, setApiDeps } from '../../shared/http/deps.js';
import { makeEventDeps, setEventDeps } from '../../shared/events/deps.js';
import { makeStores } from '../../shared/store/stores.js';
import { notifyInitiator, type NotifierDeps } from '../../shared/notifications/notifier.js';
import { runEventOf } from '../../shared/events/run-events.js';
import { NotificationStore } from '../../shared/store/notification-store.js';
import { claimRun } from '../../shared/runs/service.js';
import { emptyCounts, type Run } from '../../shared/runs/model.js';
import type { Notification } from '../../shared/notifications/model.js';
import { handler as notifierHandler } from '../../functions/events/notifier.js';
import { handler as listHandler } from '../../functions/api/list-notifications.js';
import { handler as readHandler } from '../../functions/api/read-notification.js';
import { handler as meHandler } from '../../functions/api/get-me.js';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DirectoryStore } from '../../shared/store/directory-store.js';
import { keys } from '../../shared/store/keys.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { testEnv } from '../support/services.js';
import { aRun } from '../support/run-events.js';

let env: Awaited<ReturnType<typeof testEnv>>;
let deps: NotifierDeps;

/** The event a run's current state publishes, shaped as EventBridge delivers it. */
const eventOf = (before: Run | null, after: Run) => {
  const e = runEventOf(before, after)!;
  return { version: '0', id: 'ev', 'detail-type': e.detailType, source: e.source, account: '0', time: new Date().toISOString(), region: 'local', resources: [], detail: e.detail };
};

async function startRun(tenantId: string, userId: string | null, categories: string[]) {
  const { run, deduplicated } = await env.service.startRun({
    tenantId, type: 'inventory.sync', input: { categories },
    initiator: { userId, name: userId ?? 'Scheduler' }, surface: userId ? 'api' : 'schedule',
  });
  // Each test's runs must be new: an active run with the same key would be answered instead.
  if (deduplicated) throw new Error(`the test reused an active run key: ${tenantId} ${categories}`);
  return run;
}

async function completeRun(run: Run, counts = { ...emptyCounts(), total: 42, processed: 42, succeeded: 40, failed: 2 }) {
  const claimed = (await claimRun(env.service, run.tenantId, run.id, 60_000))!;
  const done = (await env.service.apply(run.tenantId, run.id, { type: 'complete', counts }))!;
  return { claimed, done };
}

async function call(handler: typeof listHandler, opts: { user: string; method: string; path: string; routePath: string; query?: Record<string, string>; params?: Record<string, string> }) {
  const event = {
    version: '2.0', routeKey: `${opts.method} ${opts.routePath}`, rawPath: opts.path, rawQueryString: new URLSearchParams(opts.query ?? {}).toString(),
    headers: {}, queryStringParameters: opts.query, pathParameters: opts.params, isBase64Encoded: false,
    requestContext: { requestId: 'req', routeKey: `${opts.method} ${opts.routePath}`, http: { method: opts.method, path: opts.path }, authorizer: { jwt: { claims: { sub: opts.user, name: opts.user }, scopes: [] } } },
  };
  const res = (await handler(event as never, lambdaContext('test', 10))) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode!, body: res.body ? JSON.parse(res.body) : undefined };
}

const list = (user: string, query: Record<string, string> = {}) =>
  call(listHandler, { user, method: 'GET', path: '/me/notifications', routePath: '/me/notifications', query });
const me = (user: string) => call(meHandler as typeof listHandler, { user, method: 'GET', path: '/me', routePath: '/me' });
const member = (userId: string, tenantId: string) => new DirectoryStore(env.doc, env.table).putMembership(userId, { tenantId, tenantName: tenantId, role: 'operator' });
const removeMember = (userId: string, tenantId: string) => env.doc.send(new DeleteCommand({ TableName: env.table, Key: keys.membership(userId, tenantId) }));
const storedNotifications = async (userId: string) =>
  (await env.doc.send(new QueryCommand({ TableName: env.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':p': 'NOTIF#' }, ConsistentRead: true }))).Items ?? [];
const markRead = (user: string, notificationId: string) =>
  call(readHandler, { user, method: 'POST', path: `/me/notifications/${notificationId}/read`, routePath: '/me/notifications/{notificationId}/read', params: { notificationId } });

beforeAll(async () => {
  env = await testEnv();
  setApiDeps(makeApiDeps({ doc: env.doc, table: env.table, queue: env.queue }));
  setEventDeps(makeEventDeps({ stores: makeStores({ doc: env.doc, table: env.table }) }));
  const directory = new DirectoryStore(env.doc, env.table);
  deps = { runs: env.store, notifications: new NotificationStore(env.doc, env.table), directory };
  // The notifier and the list answer current members only: the users below are members.
  for (const u of ['erin', 'frank', 'gina', 'hank', 'ivy', 'jack', 'lena', 'mallory']) await member(u, 'contoso');
  for (const t of ['contoso', 'fabrikam']) await member('kate', t);
});

afterAll(() => {
  setApiDeps(undefined);
  setEventDeps(undefined);
});

describe('the notifier', () => {
  it('a duplicated Queued event yields one notification, to the initiator', async () => {
    const run = await startRun('contoso', 'erin', ['deviceConfigurations']);
    const first = await notifyInitiator(eventOf(null, run), deps);
    const again = await notifyInitiator(eventOf(null, run), deps);
    expect(first).toMatchObject({ status: 'created', userId: 'erin' });
    expect(again).toEqual({ ...first, status: 'duplicate' });
    const { body } = await list('erin');
    expect(body.items).toEqual([
      expect.objectContaining({ runId: run.id, tenantId: 'contoso', kind: 'run.queued', title: 'Inventory sync queued', readAt: null, viewUrl: `/console/tenants/contoso/runs/${run.id}` }),
    ]);
    expect(body.items[0]).not.toHaveProperty('outcome');
  });

  it('concurrent duplicates of a Completed event (through the Lambda handler) still yield one notification', async () => {
    const run = await startRun('contoso', 'frank', ['deviceCompliancePolicies']);
    const { claimed, done } = await completeRun(run);
    const event = eventOf(claimed, done);
    await Promise.all(Array.from({ length: 5 }, () => notifierHandler(event as never)));
    const { body } = await list('frank');
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ kind: 'run.completed', outcome: 'partially_succeeded', title: 'Inventory sync partially succeeded — 2 of 42 items failed', createdAt: done.completedAt });
  });

  it('a Started event notifies nobody', async () => {
    const run = await startRun('contoso', 'gina', ['configurationPolicies']);
    const claimed = (await claimRun(env.service, 'contoso', run.id, 60_000))!;
    expect(await notifyInitiator(eventOf(run, claimed), deps)).toEqual({ status: 'skipped', reason: 'not a notified event' });
    expect((await list('gina')).body.items).toEqual([]);
  });

  it('a system-started run notifies nobody', async () => {
    const run = await startRun('contoso', null, ['managedAppPolicies']);
    expect(await notifyInitiator(eventOf(null, run), deps)).toEqual({ status: 'skipped', reason: 'system run' });
    const { claimed, done } = await completeRun(run);
    expect(await notifyInitiator(eventOf(claimed, done), deps)).toEqual({ status: 'skipped', reason: 'system run' });
  });

  it('another user of the tenant gets nothing', async () => {
    const run = await startRun('contoso', 'hank', ['groupPolicyConfigurations']);
    await notifyInitiator(eventOf(null, run), deps);
    expect((await list('hank')).body.items).toHaveLength(1);
    expect((await list('ivy')).body.items).toEqual([]);
    expect((await list('ivy', { tenantId: 'contoso' })).body.items).toEqual([]);
  });

  it('a notification expires with its run, and reads hide an expired one', async () => {
    const run = aRun({ initiator: { userId: 'jack', name: 'Jack' } });
    const store = new NotificationStore(env.doc, env.table);
    const expired: Notification = { id: '01JH7Z9W3K8Q4V2N6B5C1D0EFG', tenantId: 'contoso', runId: run.id, kind: 'run.queued', title: 't', body: 'b', viewUrl: '/v', createdAt: run.createdAt, readAt: null };
    await store.putOnce('jack', expired, new Date(Date.now() - 1000).toISOString());
    expect((await list('jack')).body.items).toEqual([]);
    expect((await markRead('jack', expired.id)).status).toBe(404);

    const live = await startRun('contoso', 'jack', ['deviceEnrollmentConfigurations']);
    await notifyInitiator(eventOf(null, live), deps);
    const { Items } = await env.doc.send(new (await import('@aws-sdk/lib-dynamodb')).QueryCommand({
      TableName: env.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': 'USER#jack', ':p': 'NOTIF' },
    }));
    const liveItems = Items!.filter((i) => i.runId === live.id);
    expect(liveItems).toHaveLength(2); // the notification and its (run, kind) marker
    for (const item of liveItems) expect(item.expiresAt).toBe(Math.floor(Date.parse(live.expiresAt) / 1000));
  });
});

describe('the trust boundary (issue 15, item 5)', () => {
  it('the recipient, the link and the words come from the stored run, not from the event', async () => {
    const run = await startRun('contoso', 'lena', ['deviceConfigurations', 'deviceEnrollmentConfigurations']);
    const { claimed, done } = await completeRun(run);
    const real = eventOf(claimed, done);
    const forged = {
      ...real,
      detail: { ...real.detail, initiator: { userId: 'mallory', name: 'Mallory' }, viewUrl: 'https://phish.example/login', outcome: 'succeeded', summaryCounts: { ...emptyCounts(), total: 1, processed: 1, succeeded: 1 } },
    };
    expect(await notifyInitiator(forged, deps)).toMatchObject({ status: 'created', userId: 'lena' });
    expect(await storedNotifications('mallory')).toEqual([]);
    const [note] = (await list('lena')).body.items;
    expect(note).toMatchObject({
      runId: run.id, viewUrl: `/console/tenants/contoso/runs/${run.id}`, outcome: 'partially_succeeded',
      title: 'Inventory sync partially succeeded — 2 of 42 items failed', createdAt: done.completedAt,
    });
    // An event naming a run that does not exist notifies nobody.
    expect(await notifyInitiator({ ...forged, detail: { ...forged.detail, runId: '01J00000000000000000000000' } }, deps)).toEqual({ status: 'skipped', reason: 'run gone' });
  });

  it('a user removed from a tenant neither receives nor lists its notifications (and GET /me no longer names it)', async () => {
    await member('nina', 'contoso');
    await member('nina', 'fabrikam');
    const inFabrikam = await startRun('fabrikam', 'nina', ['deviceConfigurations', 'groupPolicyConfigurations']);
    const inContoso = await startRun('contoso', 'nina', ['deviceConfigurations', 'groupPolicyConfigurations']);
    await notifyInitiator(eventOf(null, inFabrikam), deps);
    await notifyInitiator(eventOf(null, inContoso), deps);
    expect((await list('nina')).body.items.map((n: Notification) => n.runId).sort()).toEqual([inFabrikam.id, inContoso.id].sort());

    const fabrikamNote = (await list('nina', { tenantId: 'fabrikam' })).body.items[0] as Notification;
    await removeMember('nina', 'fabrikam');
    expect((await me('nina')).body.memberships.map((m: { tenantId: string }) => m.tenantId)).toEqual(['contoso']);
    // Nor can it be marked read: it answers 404 like an unknown one and stays unread.
    expect((await markRead('nina', fabrikamNote.id)).status).toBe(404);
    const hidden = (await storedNotifications('nina')).find((n) => String(n.sk).endsWith(fabrikamNote.id));
    expect(hidden).toBeDefined();
    expect(hidden?.readAt).toBeUndefined();
    expect((await list('nina')).body.items.map((n: Notification) => n.runId)).toEqual([inContoso.id]);
    expect((await list('nina', { tenantId: 'fabrikam' })).body).toEqual({ items: [], nextCursor: null });
    // The run goes on and completes: its Completed event reaches nobody.
    const stored = (await storedNotifications('nina')).length;
    const { claimed, done } = await completeRun(inFabrikam);
    expect(await notifyInitiator(eventOf(claimed, done), deps)).toEqual({ status: 'skipped', reason: 'not a member' });
    expect(await storedNotifications('nina')).toHaveLength(stored);

    await removeMember('nina', 'contoso');
    expect((await list('nina')).body).toEqual({ items: [], nextCursor: null });
  });

  it('the membership filter holds for a member of more than 100 tenants (beyond one IN condition)', async () => {
    for (let i = 0; i < 105; i++) await member('olga', `t-${String(i).padStart(3, '0')}`);
    const store = new NotificationStore(env.doc, env.table);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const note = (id: string, tenantId: string): Notification => ({ id, tenantId, runId: `r-${id}`, kind: 'run.queued', title: 't', body: 'b', viewUrl: '/v', createdAt: new Date().toISOString(), readAt: null });
    await store.putOnce('olga', note('01J00000000000000000000001', 't-104'), expiresAt);
    await store.putOnce('olga', note('01J00000000000000000000002', 'woodgrove'), expiresAt);
    expect((await list('olga')).body.items.map((n: Notification) => n.tenantId)).toEqual(['t-104']);
  });
});

describe('GET /me/notifications and POST /me/notifications/{id}/read', () => {
  const user = 'kate';
  const created: Run[] = [];

  beforeAll(async () => {
    // Five runs, one notification each, in this order: contoso ×3, fabrikam ×2.
    // Two categories each, so no run shares an active run key with the runs of the tests above.
    const plan: Array<[string, string[]]> = [
      ['contoso', ['deviceConfigurations', 'managedAppPolicies']], ['fabrikam', ['deviceConfigurations', 'managedAppPolicies']],
      ['contoso', ['deviceCompliancePolicies', 'managedAppPolicies']], ['fabrikam', ['deviceCompliancePolicies', 'managedAppPolicies']],
      ['contoso', ['configurationPolicies', 'managedAppPolicies']],
    ];
    for (const [tenant, categories] of plan) {
      const run = await startRun(tenant, user, categories);
      await notifyInitiator(eventOf(null, run), deps);
      created.push(run);
      await new Promise((r) => setTimeout(r, 3)); // distinct ULID milliseconds: a strict newest-first order
    }
  });

  it('lists newest first, and a cursor round trip visits every notification once', async () => {
    const pages: Notification[][] = [];
    let cursor: string | undefined;
    do {
      const { status, body } = await list(user, { limit: '2', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      pages.push(body.items);
      cursor = body.nextCursor ?? undefined;
    } while (cursor && pages.length < 10);
    const runIds = pages.flat().map((n) => n.runId);
    expect(runIds).toEqual([...created].reverse().map((r) => r.id));
    expect(pages[0]).toHaveLength(2);
  });

  it('filters by tenant; a tenant the caller has nothing in yields nothing', async () => {
    const fabrikam = await list(user, { tenantId: 'fabrikam' });
    expect(fabrikam.body.items.map((n: Notification) => n.runId)).toEqual([created[3].id, created[1].id]);
    expect((await list(user, { tenantId: 'woodgrove' })).body).toEqual({ items: [], nextCursor: null });
  });

  it('marks read idempotently, and unread=true leaves read ones out', async () => {
    const { body } = await list(user, { tenantId: 'contoso', limit: '1' });
    const newest: Notification = body.items[0];
    expect((await markRead(user, newest.id)).status).toBe(204);
    const readAt = (await list(user, { limit: '1' })).body.items[0].readAt;
    expect(readAt).toEqual(expect.any(String));
    expect((await markRead(user, newest.id)).status).toBe(204);
    expect((await list(user, { limit: '1' })).body.items[0].readAt).toBe(readAt);

    const unread = await list(user, { unread: 'true' });
    expect(unread.body.items.map((n: Notification) => n.id)).not.toContain(newest.id);
    expect(unread.body.items).toHaveLength(4);
    const unreadPage = await list(user, { unread: 'true', tenantId: 'contoso', limit: '1' });
    expect(unreadPage.body.items.map((n: Notification) => n.runId)).toEqual([created[2].id]);
  });

  it("someone else's notification, or an unknown one, answers 404 and is left unread", async () => {
    const { body } = await list(user, { tenantId: 'fabrikam', limit: '1' });
    const theirs: Notification = body.items[0];
    const res = await markRead('mallory', theirs.id);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, title: 'Not Found' });
    expect((await list(user, { tenantId: 'fabrikam', limit: '1' })).body.items[0].readAt).toBeNull();
    expect((await markRead(user, '01JH7Z9W3K8Q4V2N6B5C1D0EFG')).status).toBe(404);
    expect((await markRead(user, 'not-an-id')).status).toBe(404);
  });

  it.each([
    [{ limit: '0' }], [{ limit: '101' }], [{ unread: 'yes' }], [{ surprise: '1' }], [{ cursor: 'bogus' }], [{ tenantId: 'con toso' }],
  ])('answers 400 to a bad query %j', async (query) => {
    const res = await list(user, query);
    expect(res.status).toBe(400);
  });

  it("a cursor issued to another user, or for another filter, is refused", async () => {
    const { body } = await list(user, { limit: '1' });
    expect(body.nextCursor).toEqual(expect.any(String));
    expect((await list('mallory', { cursor: body.nextCursor })).status).toBe(400);
    expect((await list(user, { cursor: body.nextCursor, tenantId: 'contoso' })).status).toBe(400);
  });

  it('without a token answers 401', async () => {
    const res = (await listHandler({ requestContext: {}, headers: {} } as never, lambdaContext('t', 10))) as APIGatewayProxyStructuredResultV2;
    expect(res.statusCode).toBe(401);
  });
});
