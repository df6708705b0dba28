import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { freePort, portInUse } from '../../infra/local/dynamodb-local.js';
import { startLocalRuntime } from '../../infra/local/runtime.js';
import { signLocalToken } from '../../infra/local/jwt.js';

const ROOT = path.resolve(__dirname, '../..');

function startMain(env: Record<string, string>) {
  // A user's shell has no cursor key (vitest's environment does): `npm start` must not need one.
  const { CURSOR_SECRET: _fromVitest, ...shell } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: ROOT,
    env: { ...shell, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { out += String(d); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string, ms = 90_000) => {
    const until = Date.now() + ms;
    while (!out.includes(text)) {
      if (child.exitCode !== null) throw new Error(`exited early: ${out}`);
      if (Date.now() > until) throw new Error(`timed out waiting for "${text}": ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, exited, waitFor, output: () => out };
}

describe('npm start (the local runtime as a child process)', () => {
  it('serves the API on free ports and Ctrl-C stops everything it started', async () => {
    const [port, dynamoPort, graphPort] = [await freePort(), await freePort(), await freePort()];
    const main = startMain({ PORT: String(port), DYNAMODB_PORT: String(dynamoPort), GRAPH_SIM_PORT: String(graphPort), LOCAL_IN_MEMORY: '1', LOCAL_STATE_DIR: mkdtempSync(path.join(tmpdir(), 'or-state-')) });
    try {
      await main.waitFor('Press Ctrl-C to stop.');
      expect(main.output()).toContain(`http://127.0.0.1:${port}/console`);
      const base = `http://127.0.0.1:${port}`;
      const login = await fetch(`${base}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'alice' }) });
      expect(login.status).toBe(200);
      const { token, user } = (await login.json()) as { token: string; user: unknown };
      expect(user).toEqual({ id: 'alice', name: 'Alice Admin' });
      const unknown = await fetch(`${base}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'eve' }) });
      expect(unknown.status).toBe(404);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const started = await fetch(`${base}/tenants/contoso/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'inventory.sync', input: {} }) });
      expect(started.status).toBe(202);
      const again = await fetch(`${base}/tenants/contoso/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'inventory.sync', input: {} }) });
      expect([200, 202]).toContain(again.status); // 202 only if a worker already finished the first
      const list = await fetch(`${base}/tenants/contoso/runs`, { headers: auth });
      expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
      expect(await portInUse(dynamoPort)).toBe(true);
    } finally {
      main.child.kill('SIGINT');
      const code = await main.exited;
      expect(code).toBe(0);
    }
    // Nothing it started is left behind: DynamoDB Local's port is closed.
    expect(await portInUse(dynamoPort)).toBe(false);
    expect(await portInUse(port)).toBe(false);
  }, 150_000);

  it('keeps its data in LOCAL_STATE_DIR across restarts, and seeding again duplicates nothing', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'or-persist-'));
    const boot = async () => startLocalRuntime({ port: 0, dynamoPort: await freePort(), graphSimPort: 0, stateDir, background: false });
    const first = await boot();
    let runId: string;
    try {
      const token = await signLocalToken({ id: 'alice', name: 'Alice Admin' });
      const res = await fetch(`${first.url}/tenants/contoso/runs`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'policy.sync', input: { policyIds: ['6c0f6f0e-1d2b-4c3a-9e8f-7a6b5c4d3e2f'] } }) });
      expect(res.status).toBe(202);
      runId = ((await res.json()) as { run: { id: string } }).run.id;
    } finally {
      await first.stop();
    }
    const second = await boot();
    try {
      const token = await signLocalToken({ id: 'alice', name: 'Alice Admin' });
      const auth = { authorization: `Bearer ${token}` };
      const run = await fetch(`${second.url}/tenants/contoso/runs/${runId}`, { headers: auth });
      expect(run.status).toBe(200);
      const schedules = (await (await fetch(`${second.url}/tenants/contoso/backup-schedules`, { headers: auth })).json()) as { items: Array<{ name: string }> };
      expect(schedules.items.filter((s) => s.name === 'Nightly')).toHaveLength(1);
      const me = (await (await fetch(`${second.url}/me`, { headers: auth })).json()) as { memberships: unknown[] };
      expect(me.memberships).toHaveLength(1);
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('prints a clear message when the DynamoDB Local port is taken, instead of using whatever listens there', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const main = startMain({ PORT: String(await freePort()), DYNAMODB_PORT: String(taken), GRAPH_SIM_PORT: String(await freePort()), LOCAL_IN_MEMORY: '1' });
      expect(await main.exited).toBe(1);
      expect(main.output()).toContain(`Port ${taken} is already in use (DYNAMODB_PORT)`);
      expect(main.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('prints a clear message, not a stack trace, when Java is missing', async () => {
    const main = startMain({ PATH: '/nonexistent', PORT: String(await freePort()), DYNAMODB_PORT: String(await freePort()), LOCAL_IN_MEMORY: '1' });
    const code = await main.exited;
    expect(code).toBe(1);
    expect(main.output()).toMatch(/Java 17\+ is required/);
    expect(main.output()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
