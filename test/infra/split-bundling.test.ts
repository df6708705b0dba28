/**
 * Issue 18 item 1: MSAL in a file of its own in the run worker's asset. A one-stack app bundles, with
 * NodejsFunction for real (esbuild and the afterBundling hook), the run worker and a probe that has
 * the worker's access and runs its token path (test/support/msal-token-probe.ts); then the assets are
 * read and the probe's bundle is run in a fresh node process against the simulated token endpoint.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import * as options from '../../infra/constructs/bundling-options.js';
import { Data } from '../../infra/constructs/data.js';
import { definitionOf, type DeployedFunction } from '../../infra/constructs/deployed-functions.js';
import { Messaging } from '../../infra/constructs/messaging.js';
import { OperationFunction } from '../../infra/constructs/operation-function.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const WORKER = definitionOf('functions/workers/run-worker.ts');
const PROBE: DeployedFunction = { id: 'MsalTokenProbe', entry: 'test/support/msal-token-probe.ts', trigger: 'queue', access: { ...WORKER.access } };
const MSAL_FILE = options.SPLIT_MODULES.find((m) => m.source === 'shared/graph/msal-app.ts')!.file;
/** Strings of MSAL's own code (its license banner and the client-credentials request it builds), none of ours. */
const MSAL_MARKERS = ['@azure/msal-node v', '@azure/msal-common v', 'x-client-SKU'];
const run = promisify(execFile);

let outdir: string;
const assets: Record<string, string> = {};
let sim: GraphSim;

beforeAll(async () => {
  mkdirSync(path.join(ROOT, '.local'), { recursive: true });
  outdir = mkdtempSync(path.join(ROOT, '.local', 'cdk-split-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'SplitBundling');
  const data = new Data(stack, 'Data', { removalPolicy: RemovalPolicy.DESTROY });
  const messaging = new Messaging(stack, 'Messaging');
  const resources = {
    table: data.table, workQueue: messaging.workQueue, scheduleQueue: messaging.scheduleQueue, bus: messaging.bus,
    graphSecret: data.graphSecret, cursorSecret: data.cursorSecret, graphSecretPrefix: 'operation-runs/graph/test/',
    environment: {}, logRetention: RetentionDays.ONE_WEEK, projectRoot: ROOT, graphSecretOrphanGraceMinutes: 60,
  };
  const fns = [WORKER, PROBE].map((definition) => new OperationFunction(stack, definition.id, { definition, resources, purpose: 'split bundling test' }));
  const assembly = app.synth();
  for (const f of fns) assets[f.entry] = path.join(assembly.directory, (f.fn.node.findChild('Code') as Asset).assetPath);
  sim = await startGraphSim({ port: 0, latencyMs: 0, pageSize: 5, tenantLimit: null });
}, 240_000);

afterAll(async () => {
  await sim?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

const read = (entry: string, file: string) => readFileSync(path.join(assets[entry], file), 'utf8');

/** Runs the probe bundle's handler in a fresh node process, as Lambda would import it. */
async function runProbe(dir: string) {
  const script = `const { handler } = await import(${JSON.stringify(path.join(dir, `index${options.OUTPUT_EXTENSION}`))}); console.log(JSON.stringify(await handler(JSON.parse(process.argv[1]))));`;
  const event = { settings: sim.settingsFor('contoso'), secret: 'local-sim-secret' };
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script, JSON.stringify(event)], { env: { PATH: process.env.PATH } });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('MSAL in a file of its own (NodejsFunction bundling, issue 18)', () => {
  it("the run worker's asset holds index.mjs without MSAL and msal-app.mjs with it, each with its source map", () => {
    const dir = assets[WORKER.entry];
    expect(readdirSync(dir).sort()).toEqual([`index${options.OUTPUT_EXTENSION}`, `index${options.OUTPUT_EXTENSION}.map`, MSAL_FILE, `${MSAL_FILE}.map`].sort());
    const main = read(WORKER.entry, `index${options.OUTPUT_EXTENSION}`);
    const msal = read(WORKER.entry, MSAL_FILE);
    expect(MSAL_MARKERS.filter((m) => main.includes(m))).toEqual([]);
    expect(MSAL_MARKERS.filter((m) => !msal.includes(m))).toEqual([]);
    expect(main).toContain(`import("./${MSAL_FILE}")`);
    expect(msal).toContain(`//# sourceMappingURL=${MSAL_FILE}.map`);
  });

  it('the split file is an ES module exporting what the token source uses', async () => {
    const mod = await import(path.join(assets[WORKER.entry], MSAL_FILE));
    expect(typeof mod.ConfidentialClientApplication).toBe('function');
    expect(mod.LogLevel.Error).toBeTypeOf('number');
  });

  it('the bench and the budget test build exactly what NodejsFunction deploys (functionBuilds, with source maps)', async () => {
    const tmp = mkdtempSync(path.join(ROOT, '.local', 'split-api-'));
    try {
      const outs = await Promise.all(options.functionBuilds(ROOT, WORKER, tmp, { sourcemap: true }).map((o) => build(o)));
      const js = outs.flatMap((o) => o.outputFiles).filter((f) => f.path.endsWith(options.OUTPUT_EXTENSION));
      expect(js.map((f) => path.basename(f.path))).toEqual([`index${options.OUTPUT_EXTENSION}`, MSAL_FILE]);
      for (const f of js) expect(f.text === read(WORKER.entry, path.basename(f.path)), path.basename(f.path)).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the built token path loads msal-app.mjs on the first token and gets one from the token endpoint; without the file it cannot', async () => {
    sim.requests.length = 0;
    expect(await runProbe(assets[PROBE.entry])).toEqual({ groups: expect.any(Number) });
    expect(sim.requests.filter((r) => r.version === null)).toHaveLength(1); // one token POST, made by MSAL
    const without = mkdtempSync(path.join(ROOT, '.local', 'split-without-'));
    try {
      cpSync(assets[PROBE.entry], without, { recursive: true });
      rmSync(path.join(without, MSAL_FILE));
      expect(existsSync(path.join(without, `index${options.OUTPUT_EXTENSION}`))).toBe(true);
      const err = await runProbe(without).catch((e: Error & { stderr?: string }) => e);
      expect(String((err as { stderr?: string }).stderr)).toMatch(new RegExp(`ERR_MODULE_NOT_FOUND[\\s\\S]*${MSAL_FILE.replace('.', '\\.')}|${MSAL_FILE.replace('.', '\\.')}[\\s\\S]*ERR_MODULE_NOT_FOUND`));
    } finally {
      rmSync(without, { recursive: true, force: true });
    }
  });
});
