/**
 * Issue 19, done when: from a FRESH `npm start` (the real npm script, its own ports, nothing kept on
 * disk), alice — the local platform admin — creates a third tenant against the simulated Graph, its
 * connection check succeeds, she invites a user who signs in and sees the tenant, and the audit lists
 * all of it. Everything goes over HTTP, as a new user would do it; the npm process group is stopped
 * after, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let npm: ChildProcess | undefined;
let base = '';
let output = '';
let stateDir = '';

beforeAll(async () => {
  const [port, dynamoPort, simPort] = [await freePort(), await freePort(), await freePort()];
  stateDir = mkdtempSync(path.join(tmpdir(), 'onboarding-'));
  npm = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      ...process.env, PORT: String(port), DYNAMODB_PORT: String(dynamoPort), GRAPH_SIM_PORT: String(simPort),
      LOCAL_IN_MEMORY: '1', LOCAL_STATE_DIR: stateDir, GRAPH_SIM_FAULTS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    detached: true, // its own process group: stopped as one below
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm.stdout!.on('data', (d) => { output += String(d); });
  npm.stderr!.on('data', (d) => { output += String(d); });
  const until = Date.now() + 150_000;
  while (!/Operation Runs is running locally/.test(output)) {
    if (npm.exitCode !== null) throw new Error(`npm start exited ${npm.exitCode}:\n${output}`);
    if (Date.now() > until) throw new Error(`npm start did not come up:\n${output}`);
    await sleep(250);
  }
  base = `http://127.0.0.1:${port}`;
}, 180_000);

afterAll(async () => {
  if (npm?.pid && npm.exitCode === null) {
    process.kill(-npm.pid, 'SIGTERM');
    const until = Date.now() + 20_000;
    while (npm.exitCode === null && Date.now() < until) await sleep(100);
    if (npm.exitCode === null) process.kill(-npm.pid, 'SIGKILL');
  }
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

async function http(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : null };
}

const login = async (body: Record<string, string>) => {
  const res = await http('POST', '/dev/login', undefined, body);
  expect(res.status, res.text).toBe(200);
  return res.json.token as string;
};

async function completed(token: string, tenantId: string, runId: string) {
  const until = Date.now() + 120_000;
  for (;;) {
    const res = await http('GET', `/tenants/${tenantId}/runs/${runId}`, token);
    expect(res.status, res.text).toBe(200);
    if (res.json.status === 'completed') return res.json;
    if (Date.now() > until) throw new Error(`run ${runId} did not complete: ${res.text}`);
    await sleep(300);
  }
}

describe('onboarding from a fresh npm start (issue 19)', () => {
  it('alice creates a tenant, its connection check succeeds, an invited user signs in and sees it, and the audit lists it all', async () => {
    const alice = await login({ userId: 'alice' });
    const tenantId = 'northwind';

    // 1. A third tenant, connected to the simulated Graph with the simulator's (obviously fake) secret.
    const created = await http('POST', '/tenants', alice, {
      tenantId, name: 'Northwind Traders',
      graph: { cloud: 'global', directoryTenantId: '6f1c2b8e-3d4a-4b5c-9e8f-0a1b2c3d4e5f', clientId: '0f8fad5b-d9cb-469f-a165-70867728950e', credential: { type: 'secret', secret: 'local-sim-secret' } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('location')).toBe(`/tenants/${tenantId}`);
    expect(created.text).not.toContain('local-sim-secret');
    const check = await completed(alice, tenantId, created.json.connectionCheck.run.id);
    expect(check).toMatchObject({ type: 'graph.connection_check', outcome: 'succeeded', failureCount: 0 });
    const listed = await http('GET', '/tenants', alice);
    expect(listed.status).toBe(200);
    const northwind = listed.json.items.find((t: { tenantId: string }) => t.tenantId === tenantId);
    expect(northwind, listed.text).toBeDefined();
    expect(JSON.stringify(northwind)).toContain('succeeded');
    expect((await http('GET', '/me', alice)).json.memberships).toContainEqual({ tenantId, tenantName: 'Northwind Traders', role: 'owner' });

    // 2. She invites a colleague by email; before signing in, the colleague sees nothing of it.
    const invited = await http('POST', `/tenants/${tenantId}/invitations`, alice, { email: 'Erin.New@example.com', role: 'operator' });
    expect(invited.status, invited.text).toBe(201);
    const erin = await login({ userId: 'erin-new', email: 'erin.new@example.com', name: 'Erin New' });
    expect((await http('GET', `/tenants/${tenantId}/runs`, erin)).status).toBe(404);

    // 3. The first sign-in (GET /me) turns the invitation into a membership; the tenant is hers to see.
    const me = await http('GET', '/me', erin);
    expect(me.status, me.text).toBe(200);
    expect(me.json.memberships).toContainEqual({ tenantId, tenantName: 'Northwind Traders', role: 'operator' });
    const runs = await http('GET', `/tenants/${tenantId}/runs`, erin);
    expect(runs.status, runs.text).toBe(200);
    expect(runs.json.items.map((r: { id: string }) => r.id)).toContain(check.id);
    const members = await http('GET', `/tenants/${tenantId}/members`, alice);
    expect(members.json.items.map((m: { userId: string; role: string }) => `${m.userId}:${m.role}`).sort()).toEqual(['alice:owner', 'erin-new:operator']);

    // 4. The audit lists all of it, newest first, once each.
    const audit = await http('GET', `/tenants/${tenantId}/audit`, alice);
    expect(audit.status, audit.text).toBe(200);
    expect(audit.json.items.map((e: { action: string }) => e.action)).toEqual(['invitation.accepted', 'invitation.sent', 'tenant.created']);
    expect(audit.text).not.toContain('local-sim-secret');
    // Below owner, the audit is refused.
    expect((await http('GET', `/tenants/${tenantId}/audit`, erin)).status).toBe(403);
  }, 300_000);
});
