/**
 * Memberships, invitations and the audit trail over HTTP (issue 19), against DynamoDB Local: roles
 * take effect on the next request, the last owner stays (also under concurrent demotions), an
 * invitation becomes a membership at the first GET /me carrying its email, exactly once, and every
 * administrative action leaves exactly one sanitized audit entry — published on the bus from the stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { keys } from '../../shared/store/keys.js';
import { MemberStore } from '../../shared/store/member-store.js';
import { BackupStore } from '../../shared/store/backup-store.js';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { startStreamRelay, type StreamRelay } from '../../infra/local/stream-relay.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { RecordingPublisher, waitFor } from '../support/run-events.js';
import { AUDIT_DETAIL_TYPE } from '../../shared/wiring.js';

let api: TestApi;
let relay: StreamRelay;
const published = new RecordingPublisher();

beforeAll(async () => {
  api = await startTestRuntime();
  relay = await startStreamRelay({
    dynamoEndpoint: api.runtime.dynamoEndpoint,
    tableName: api.runtime.tableName,
    handler: (event) => publishStreamBatch(event, { publisher: published }),
    context: () => lambdaContext('stream-publisher', 30),
    pollMs: 50,
  });
});
afterAll(async () => {
  await relay?.stop();
  await api?.runtime.stop();
});

const MEMBERS = '/tenants/contoso/members';
const INVITES = '/tenants/contoso/invitations';
const AUDIT = '/tenants/contoso/audit';

/** A token for a user id that carries an email claim, through the local POST /dev/login. */
async function loginWithEmail(userId: string, email: string, name?: string): Promise<string> {
  const res = await fetch(`${api.runtime.url}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, email, name }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}
const asToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function auditOf(query = ''): Promise<any[]> {
  const res = await api.call('GET', `${AUDIT}${query ? `?${query}` : ''}`, { user: 'alice' });
  expect(res.status).toBe(200);
  return res.json.items;
}
const ownerCount = async (tenant: string) =>
  (await api.doc.send(new GetCommand({ TableName: api.runtime.tableName, Key: keys.ownerCount(tenant), ConsistentRead: true }))).Item?.owners;

describe('memberships', () => {
  it('an owner lists the members with names and roles; the seed counted one owner', async () => {
    const res = await api.call('GET', MEMBERS, { user: 'alice' });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.json.items.map((m: any) => [m.userId, m]));
    expect(byId.alice).toMatchObject({ name: 'Alice Admin', role: 'owner', addedAt: expect.any(String) });
    expect(byId.carol).toMatchObject({ name: 'Carol Reader', role: 'readonly' });
    expect(byId.dave).toMatchObject({ role: 'operator' });
    expect(res.json.nextCursor).toBeNull();
    expect(await ownerCount('contoso')).toBe(1);
    const paged = await api.call('GET', `${MEMBERS}?limit=1`, { user: 'alice' });
    expect(paged.json.items).toHaveLength(1);
    const next = await api.call('GET', `${MEMBERS}?limit=5&cursor=${encodeURIComponent(paged.json.nextCursor)}`, { user: 'alice' });
    expect(next.json.items.map((m: any) => m.userId)).not.toContain(paged.json.items[0].userId);
  });

  it('add, change and remove take effect on the next request, each recorded once', async () => {
    expect((await api.call('GET', '/tenants/contoso/runs', { user: 'bob' })).status).toBe(404);
    const added = await api.call('PUT', `${MEMBERS}/bob`, { user: 'alice', body: { role: 'readonly' } });
    expect(added.status).toBe(201);
    expect(added.headers.get('location')).toBe('/tenants/contoso/members/bob');
    expect(added.json).toMatchObject({ userId: 'bob', name: 'Bob Operator', role: 'readonly' });
    expect((await api.call('GET', '/tenants/contoso/runs', { user: 'bob' })).status).toBe(200);
    const me = await api.call('GET', '/me', { user: 'bob' });
    expect(me.json.memberships).toContainEqual({ tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'readonly' });
    // readonly may not start an inventory sync (operator)
    expect((await api.call('POST', '/tenants/contoso/runs', { user: 'bob', body: { type: 'inventory.sync', input: {} } })).status).toBe(403);

    const changed = await api.call('PUT', `${MEMBERS}/bob`, { user: 'alice', body: { role: 'manager' } });
    expect(changed.status).toBe(200);
    expect(changed.json.role).toBe('manager');
    expect((await api.call('GET', '/me', { user: 'bob' })).json.memberships).toContainEqual({ tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'manager' });

    const before = await api.snapshot();
    const same = await api.call('PUT', `${MEMBERS}/bob`, { user: 'alice', body: { role: 'manager' } });
    expect(same.status).toBe(200);
    expect(await api.snapshot()).toBe(before); // unchanged: nothing written, nothing audited

    expect((await api.call('DELETE', `${MEMBERS}/bob`, { user: 'alice' })).status).toBe(204);
    expect((await api.call('GET', '/tenants/contoso/runs', { user: 'bob' })).status).toBe(404);
    expect((await api.call('GET', '/me', { user: 'bob' })).json.memberships.map((m: any) => m.tenantId)).not.toContain('contoso');
    expect((await api.call('DELETE', `${MEMBERS}/bob`, { user: 'alice' })).status).toBe(404);

    const entries = (await auditOf('actor=alice')).filter((e) => e.target.id === 'bob');
    expect(entries.map((e) => e.action)).toEqual(['member.removed', 'member.role_changed', 'member.added']);
    expect(entries[1]).toMatchObject({ before: { role: 'readonly' }, after: { role: 'manager' }, actor: { userId: 'alice', name: 'Alice Admin' }, tenantId: 'contoso' });
  });

  it('bad input is a 4xx problem that writes nothing', async () => {
    const before = await api.snapshot();
    for (const [method, path, body, status] of [
      ['PUT', `${MEMBERS}/bob`, { role: 'emperor' }, 400],
      ['PUT', `${MEMBERS}/bob`, { role: 'owner', extra: 1 }, 400],
      ['PUT', `${MEMBERS}/bob`, undefined, 400],
      ['PUT', `${MEMBERS}/nobody-signed-in`, { role: 'readonly' }, 422],
      ['PUT', `${MEMBERS}/${encodeURIComponent('a b')}`, { role: 'readonly' }, 400],
      ['DELETE', `${MEMBERS}/nobody`, undefined, 404],
      ['POST', INVITES, { email: 'not-an-email', role: 'readonly' }, 400],
      ['POST', INVITES, { email: 'x@example.com', role: 'king' }, 400],
      ['DELETE', `${INVITES}/01JH7Z9W3K8Q4V2N6B5C1D0EFG`, undefined, 404],
      ['DELETE', `${INVITES}/nope`, undefined, 404],
    ] as const) {
      const res = await api.call(method, path, { user: 'alice', body });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    for (const q of ['action=nope', 'limit=0', 'cursor=garbage', 'colour=red', `actor=${encodeURIComponent('a#b')}`]) {
      const res = await api.call('GET', `${AUDIT}?${q}`, { user: 'alice' });
      expect(res.status, q).toBe(400);
    }
    expect(await api.snapshot()).toBe(before);
  });

  it('the last owner can be neither demoted nor removed (409, nothing written)', async () => {
    const before = await api.snapshot();
    const demote = await api.call('PUT', `${MEMBERS}/alice`, { user: 'alice', body: { role: 'manager' } });
    expect(demote.status).toBe(409);
    expect(demote.json.detail).toMatch(/owner/);
    expect((await api.call('DELETE', `${MEMBERS}/alice`, { user: 'alice' })).status).toBe(409);
    expect(await api.snapshot()).toBe(before);
  });

  it('two owners demoting each other at once leave exactly one owner', async () => {
    for (let round = 0; round < 4; round++) {
      expect((await api.call('PUT', `${MEMBERS}/dave`, { user: 'alice', body: { role: 'owner' } })).status).toBe(200);
      expect(await ownerCount('contoso')).toBe(2);
      const [a, d] = await Promise.all([
        api.call('PUT', `${MEMBERS}/dave`, { user: 'alice', body: { role: 'operator' } }),
        api.call('PUT', `${MEMBERS}/alice`, { user: 'dave', body: { role: 'operator' } }),
      ]);
      const statuses = [a.status, d.status];
      expect(statuses.filter((s) => s === 200), `round ${round}: ${statuses}`).toHaveLength(1);
      expect([403, 409]).toContain(statuses.find((s) => s !== 200));
      const owners = (await api.call('GET', MEMBERS, { user: a.status === 200 ? 'alice' : 'dave' })).json.items.filter((m: any) => m.role === 'owner');
      expect(owners).toHaveLength(1);
      expect(await ownerCount('contoso')).toBe(1);
      // restore: alice owner, dave operator
      if (d.status === 200) {
        expect((await api.call('PUT', `${MEMBERS}/alice`, { user: 'dave', body: { role: 'owner' } })).status).toBe(200);
        expect((await api.call('PUT', `${MEMBERS}/dave`, { user: 'alice', body: { role: 'operator' } })).status).toBe(200);
      }
    }
  });
});

describe('invitations', () => {
  it('an invited email becomes a member at its first GET /me, exactly once', async () => {
    const sent = await api.call('POST', INVITES, { user: 'alice', body: { email: 'Erin@Example.com', role: 'operator' } });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ id: expect.stringMatching(/^[0-9A-Z]{26}$/), email: 'erin@example.com', role: 'operator', invitedBy: { userId: 'alice', name: 'Alice Admin' } });
    const days = (Date.parse(sent.json.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.9);
    expect(days).toBeLessThanOrEqual(14);
    expect((await api.call('GET', INVITES, { user: 'alice' })).json.items.map((i: any) => i.id)).toContain(sent.json.id);
    const before = await api.snapshot();
    expect((await api.call('POST', INVITES, { user: 'alice', body: { email: 'erin@example.com', role: 'readonly' } })).status).toBe(409);
    expect(await api.snapshot()).toBe(before);

    // an unknown user id without an email is still 404 at /dev/login; with one it gets a token
    expect((await fetch(`${api.runtime.url}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'erin' }) })).status).toBe(404);
    const token = await loginWithEmail('erin', 'ERIN@example.com', 'Erin New');
    // the claim does not grant anything before /me observes the sign-in… and then exactly once
    const [m1, m2] = await Promise.all([api.call('GET', '/me', asToken(token)), api.call('GET', '/me', asToken(token))]);
    for (const m of [m1, m2]) expect(m.status).toBe(200);
    const me = await api.call('GET', '/me', asToken(token));
    expect(me.json).toEqual({ user: { id: 'erin', name: 'Erin New' }, memberships: [{ tenantId: 'contoso', tenantName: 'Contoso Ltd', role: 'operator' }] });
    expect((await api.call('GET', '/tenants/contoso/runs', asToken(token))).status).toBe(200);
    expect((await api.call('GET', INVITES, { user: 'alice' })).json.items.map((i: any) => i.id)).not.toContain(sent.json.id);
    const members = (await api.call('GET', MEMBERS, { user: 'alice' })).json.items;
    expect(members).toContainEqual(expect.objectContaining({ userId: 'erin', name: 'Erin New', role: 'operator' }));

    const accepted = (await auditOf('action=invitation.accepted')).filter((e) => e.target.id === sent.json.id);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ actor: { userId: 'erin' }, after: { userId: 'erin', role: 'operator' } });
    expect((await auditOf('action=invitation.sent')).filter((e) => e.target.id === sent.json.id)).toHaveLength(1);
  });

  it('a revoked or expired invitation grants nothing', async () => {
    const sent = await api.call('POST', INVITES, { user: 'alice', body: { email: 'frank@example.com', role: 'manager' } });
    expect(sent.status).toBe(201);
    expect((await api.call('DELETE', `${INVITES}/${sent.json.id}`, { user: 'alice' })).status).toBe(204);
    expect((await api.call('DELETE', `${INVITES}/${sent.json.id}`, { user: 'alice' })).status).toBe(404);
    const frank = await loginWithEmail('frank', 'frank@example.com');
    expect((await api.call('GET', '/me', asToken(frank))).json.memberships).toEqual([]);
    expect((await auditOf('action=invitation.revoked')).filter((e) => e.target.id === sent.json.id)).toHaveLength(1);

    // Written 15 days ago: TTL may not have deleted it yet, the reads must not show or honour it.
    const store = new MemberStore(api.doc, api.runtime.tableName);
    const old = new Date(Date.now() - 15 * 86_400_000);
    const stale = await store.invite({
      tenantId: 'contoso', tenantName: 'Contoso Ltd', email: 'gina@example.com', role: 'owner', invitedBy: { userId: 'alice', name: 'Alice Admin' },
      id: '01JH7Z9W3K8Q4V2N6B5C1D0EFG', now: old,
      audit: () => ({ Item: { pk: 'TEST', sk: 'stale-invitation' } }),
    });
    expect((await api.call('GET', INVITES, { user: 'alice' })).json.items.map((i: any) => i.id)).not.toContain(stale.id);
    const gina = await loginWithEmail('gina', 'gina@example.com');
    expect((await api.call('GET', '/me', asToken(gina))).json.memberships).toEqual([]);
    expect((await api.call('DELETE', `${INVITES}/${stale.id}`, { user: 'alice' })).status).toBe(404);
    // …and a new invitation to the same email is allowed
    expect((await api.call('POST', INVITES, { user: 'alice', body: { email: 'gina@example.com', role: 'readonly' } })).status).toBe(201);
  });
});

describe('the audit trail', () => {
  it('schedules, a cancelled run, a restore start: recorded once each, sanitized, newest first, paged, filtered, published', async () => {
    const created = await api.call('POST', '/tenants/contoso/backup-schedules', { user: 'alice', body: { name: 'Audit me password=FAKE-hunter2-x', cron: '0 4 * * *', keepLast: 3 } });
    expect(created.status).toBe(201);
    const id = created.json.id;
    expect((await api.call('PATCH', `/tenants/contoso/backup-schedules/${id}`, { user: 'alice', body: { keepLast: 5 } })).status).toBe(200);
    expect((await api.call('DELETE', `/tenants/contoso/backup-schedules/${id}`, { user: 'alice' })).status).toBe(204);
    const run = await api.call('POST', '/tenants/contoso/runs', { user: 'dave', body: { type: 'inventory.sync', input: {} } });
    expect([200, 202]).toContain(run.status);
    const cancel = await api.call('POST', `/tenants/contoso/runs/${run.json.run.id}/cancel`, { user: 'dave' });
    expect(cancel.status).toBe(202);

    const forSchedule = (await auditOf()).filter((e) => e.target.id === id);
    expect(forSchedule.map((e) => e.action)).toEqual(['schedule.deleted', 'schedule.changed', 'schedule.created']);
    expect(forSchedule[1]).toMatchObject({ before: { keepLast: 3 }, after: { keepLast: 5 } });
    expect(JSON.stringify(forSchedule)).not.toContain('FAKE-hunter2-x');
    const cancelled = (await auditOf('action=run.cancelled&actor=dave')).filter((e) => e.target.id === run.json.run.id);
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0].actor).toEqual({ userId: 'dave', name: 'Dave Ops' });

    // a restore start is recorded once; a deduplicated second start records nothing
    const set = await api.call('POST', '/tenants/contoso/backup-sets', { user: 'alice', body: { name: 'Audit restore source' } });
    expect(set.status).toBe(201);
    const policyId = '00000000-0000-4000-a000-0000000000aa';
    await new BackupStore(api.doc, api.runtime.tableName).addItem({
      id: policyId, tenantId: 'contoso', backupSetId: set.json.id, policyId, category: 'deviceConfigurations', displayName: 'Audit policy',
      content: { displayName: 'Audit policy' }, assignments: [], contentHash: 'h', capturedAt: new Date().toISOString(), runId: 'seed',
    });
    const restoreBody = { type: 'restore.execute', input: { backupSetId: set.json.id, dryRun: true } };
    const starts = [await api.call('POST', '/tenants/contoso/runs', { user: 'alice', body: restoreBody }), await api.call('POST', '/tenants/contoso/runs', { user: 'alice', body: restoreBody })];
    expect(starts.map((r) => r.status)).toEqual([202, 200]);
    const restores = (await auditOf('action=restore.started')).filter((e) => e.target.id === starts[0].json.run.id);
    expect(restores).toHaveLength(1);
    expect(restores[0]).toMatchObject({ actor: { userId: 'alice' }, target: { type: 'run' }, after: { input: { backupSetId: set.json.id, dryRun: true } } });
    expect(await auditOf('action=restore.started')).toHaveLength(1);

    // newest first across pages, no entry twice
    const all = await auditOf('limit=100');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await api.call('GET', `${AUDIT}?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { user: 'alice' });
      ids.push(...page.json.items.map((e: any) => e.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(ids).toEqual(all.map((e) => e.id));
    expect([...ids].sort().reverse()).toEqual(ids);
    // a cursor of one filter is refused by another
    const first: any = await api.call('GET', `${AUDIT}?limit=1`, { user: 'alice' });
    expect((await api.call('GET', `${AUDIT}?limit=1&action=member.added&cursor=${encodeURIComponent(first.json.nextCursor)}`, { user: 'alice' })).status).toBe(400);
    for (const e of await auditOf('action=schedule.created')) expect(e.action).toBe('schedule.created');
    for (const e of await auditOf('actor=dave')) expect(e.actor.userId).toBe('dave');

    // every entry reaches the bus as `Audit Entry Recorded`, once
    await waitFor(() => all.every((e) => published.events.some((p) => p.detail.id === e.id)), 'audit events');
    const events = published.events.filter((p) => p.detailType === AUDIT_DETAIL_TYPE);
    const eventIds = events.map((p) => p.detail.id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(events.find((p) => p.detail.id === forSchedule[2].id)!.detail).toEqual(forSchedule[2]);
    expect(JSON.stringify(events)).not.toContain('FAKE-hunter2-x');
  });
});
