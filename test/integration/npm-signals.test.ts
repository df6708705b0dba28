/**
 * Issue 18 item 4: `npm start`, `npm run bench` and `npm run load` stop everything they started —
 * DynamoDB Local's Java process (its own process group), node, esbuild's service — when npm ALONE
 * receives SIGTERM (what a process manager or container runtime sends) or SIGINT.
 *
 * Each case runs the real npm script, waits until it has started its services, records every
 * descendant process of npm (walking /proc by parent pid), signals npm's pid only, and then waits
 * until none of the recorded processes is left. Before the fix (`ensure-deps && node …`) npm's
 * signal stopped at the shell and node + Java stayed: this test then fails on the leftover list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

interface Proc { pid: number; start: string; cmd: string }

/** pid, parent pid and start time (field 22, to tell a reused pid apart) of every process. */
function processTable(): Array<Proc & { ppid: number }> {
  const out: Array<Proc & { ppid: number }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid: Number(fields[1]), start: fields[19], cmd });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

function descendants(root: number): Proc[] {
  const table = processTable();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const p of table.filter((t) => t.ppid === parent)) {
      found.push({ pid: p.pid, start: p.start, cmd: p.cmd });
      queue.push(p.pid);
    }
  }
  return found;
}

const stillRunning = (procs: Proc[]) => {
  const now = new Map(processTable().map((p) => [p.pid, p.start]));
  return procs.filter((p) => now.get(p.pid) === p.start);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let spawned: Proc[] = [];
let npm: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(() => {
  // Never leave anything behind, even when an assertion failed.
  for (const p of stillRunning(spawned)) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ } }
  if (npm?.exitCode === null) npm.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  spawned = [];
});

async function runAndSignal(script: string, entry: string, env: Record<string, string>, ready: RegExp, signal: NodeJS.Signals) {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env: { ...process.env, ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Its own process group, like a service under a process manager: our signal goes to npm alone.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  npm = child;
  let output = '';
  child.stdout!.on('data', (d) => { output += String(d); });
  child.stderr!.on('data', (d) => { output += String(d); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`npm run ${script} exited early:\n${output}`);
    await sleep(100);
  }
  spawned = descendants(child.pid!);
  // What the script started: node running the entry and DynamoDB Local's Java.
  expect(spawned.some((p) => p.cmd.startsWith(process.execPath) || /^node /.test(p.cmd) ? p.cmd.includes(entry) : false), JSON.stringify(spawned)).toBe(true);
  expect(spawned.some((p) => /DynamoDBLocal/.test(p.cmd)), JSON.stringify(spawned)).toBe(true);

  process.kill(child.pid!, signal);
  // Bounded and generous (a loaded machine stops Java slowly): before the fix npm never exits, as
  // the orphaned node still holds its output pipe.
  const npmExit = await Promise.race([exited.then(() => 'exited'), sleep(45_000).then(() => 'still running')]);
  for (let i = 0; i < 150 && stillRunning(spawned).length > 0; i++) await sleep(100);
  expect({ npm: npmExit, leftovers: stillRunning(spawned).map((p) => p.cmd) }).toEqual({ npm: 'exited', leftovers: [] });
}

const localEnv = async (): Promise<Record<string, string>> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'npm-signals-'));
  dirs.push(dir);
  return {
    PORT: String(await freePort()),
    DYNAMODB_PORT: String(await freePort()),
    GRAPH_SIM_PORT: String(await freePort()),
    LOCAL_IN_MEMORY: '1',
    LOCAL_STATE_DIR: dir,
  };
};

describe('npm scripts stop everything they started when npm alone is signalled', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`npm start, ${signal}`, async () => {
      await runAndSignal('start', 'infra/local/main.ts', await localEnv(), /Press Ctrl-C to stop/, signal);
    }, 120_000);
  }
  it('npm run bench, SIGTERM', async () => {
    await runAndSignal('bench', 'test/bench/run.ts', { BENCH_ONLY: 'start', BENCH_STARTS: '1000000' }, /# Operation Runs benchmarks/, 'SIGTERM');
  }, 120_000);
  it('npm run load, SIGINT', async () => {
    await runAndSignal('load', 'test/bench/load.ts', { LOAD_STARTS: '1000000' }, /# Load: local runtime up/, 'SIGINT');
  }, 120_000);
});
