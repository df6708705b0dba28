/**
 * End to end through the local runtime (§10): a start over HTTP → the run on DynamoDB Local → its
 * stream → the stream publisher → the in-process bus → the notifier → GET /me/notifications.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startLocalRuntime, ROOT, type LocalRuntime } from '../../infra/local/runtime.js';
import { makeApiDeps } from '../../shared/http/deps.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { claimRun } from '../../shared/runs/service.js';
import type { Notification } from '../../shared/notifications/model.js';
import { dynamoEndpoint, uniqueName } from '../support/services.js';
import { waitFor } from '../support/run-events.js';
import { runService } from '../../shared/http/deps.js';

let runtime: LocalRuntime;
const tokens: Record<string, string> = {};

async function api(user: string, method: string, pathAndQuery: string, body?: unknown) {
  const res = await fetch(`${runtime.url}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
}

const notificationsOf = async (user: string, runId: string): Promise<Notification[]> =>
  (await api(user, 'GET', '/me/notifications')).body.items.filter((n: Notification) => n.runId === runId);

beforeAll(async () => {
  runtime = await startLocalRuntime({
    dynamoEndpoint: await dynamoEndpoint(),
    sqsEndpoint: inject('sqsEndpoint'),
    tableName: uniqueName('e2e-notif'),
    queuePrefix: `${uniqueName('q')}-`,
    port: 0,
  });
  for (const user of ['alice', 'dave', 'carol']) {
    const res = await fetch(`${runtime.url}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: user }) });
    tokens[user] = (await res.json()).token;
  }
});

afterAll(async () => {
  await runtime?.stop();
});

describe('notifications end to end', () => {
  it('the user who starts a run is notified when it is queued and when it ends; other members are not', async () => {
    const started = await api('alice', 'POST', '/tenants/contoso/runs', { type: 'directory_groups.sync', input: {} });
    expect(started.status).toBe(202);
    const runId: string = started.body.run.id;

    const queued = await waitFor(async () => (await notificationsOf('alice', runId)).find((n) => n.kind === 'run.queued'), 'the queued notification', 20_000);
    expect(queued).toMatchObject({ tenantId: 'contoso', title: 'Directory groups sync queued', viewUrl: `/console/tenants/contoso/runs/${runId}`, readAt: null });

    // The run worker completes it (against the simulated Graph); without one, complete it here.
    if (!existsSync(path.join(ROOT, 'functions/workers/run-worker.ts'))) {
      const deps = makeApiDeps({ doc: makeDocumentClient(makeDynamoClient(runtime.dynamoEndpoint)), table: runtime.tableName, queue: { send: async () => undefined } });
      await claimRun(runService(deps), 'contoso', runId, 60_000);
      await runService(deps).apply('contoso', runId, { type: 'complete' });
    }
    const completed = await waitFor(async () => (await notificationsOf('alice', runId)).find((n) => n.kind === 'run.completed'), 'the completed notification', 30_000);
    const run = (await api('alice', 'GET', `/tenants/contoso/runs/${runId}`)).body;
    expect(run.status).toBe('completed');
    expect(completed).toMatchObject({ outcome: run.outcome, title: expect.stringMatching(/^Directory groups sync (succeeded|partially succeeded|failed|was cancelled)/) });

    // Newest first: the completion before the queueing.
    expect((await notificationsOf('alice', runId)).map((n) => n.kind)).toEqual(['run.completed', 'run.queued']);
    expect(await notificationsOf('dave', runId)).toEqual([]);
    expect(await notificationsOf('carol', runId)).toEqual([]);

    expect((await api('dave', 'POST', `/me/notifications/${completed.id}/read`)).status).toBe(404);
    expect((await api('alice', 'POST', `/me/notifications/${completed.id}/read`)).status).toBe(204);
    expect((await api('alice', 'GET', '/me/notifications?unread=true')).body.items.map((n: Notification) => n.id)).toEqual([queued.id]);
  });

  it('/openapi.json documents the notification routes', async () => {
    const doc = await (await fetch(`${runtime.url}/openapi.json`)).json();
    const list = doc.paths['/me/notifications'].get;
    expect(list.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['cursor', 'limit', 'tenantId', 'unread']);
    expect(list.responses['200'].content['application/json'].schema.properties.items.items.properties.kind.enum).toEqual(['run.queued', 'run.completed']);
    expect(doc.paths['/me/notifications/{notificationId}/read'].post.responses).toHaveProperty('204');
  });
});
