/**
 * Issue 18 item 1: what the run worker loads on first use (MSAL, the SQS and Secrets Manager clients)
 * is in chunks of its own in its asset (bundling-options.ts, code splitting). A one-stack app bundles,
 * with NodejsFunction for real (esbuild and the afterBundling hook), the run worker and a probe that
 * has the worker's access and runs its token path and its lazy clients
 * (test/support/msal-token-probe.ts); then the assets are read and the probe's bundle is run in a
 * fresh node process against the simulated token endpoint and a recording HTTP server.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphSim, type GraphSim } from '../../infra/local/graph-sim.js';
import * as options from '../../infra/constructs/bundling-options.js';
import { buildFunction, type BuiltFunction } from '../../infra/constructs/built-function.js';
import { Data } from '../../infra/constructs/data.js';
import { definitionOf, type DeployedFunction } from '../../infra/constructs/deployed-functions.js';
import { Messaging } from '../../infra/constructs/messaging.js';
import { OperationFunction } from '../../infra/constructs/operation-function.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const WORKER = definitionOf('functions/workers/run-worker.ts');
const PROBE: DeployedFunction = { id: 'MsalTokenProbe', entry: 'test/support/msal-token-probe.ts', trigger: 'queue', access: { ...WORKER.access } };
const INDEX = `index${options.OUTPUT_EXTENSION}`;
/** Strings of MSAL's own code (its license banner and the client-credentials request it builds), none of ours. */
const MSAL_MARKERS = ['@azure/msal-node v', '@azure/msal-common v', 'x-client-SKU'];
const run = promisify(execFile);

let outdir: string;
const assets: Record<string, string> = {};
let sim: GraphSim;
/** the worker as the esbuild API users build it (functionBuild), to know which chunk is which */
let worker: BuiltFunction;
let apiDir: string;

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
  apiDir = mkdtempSync(path.join(ROOT, '.local', 'split-api-'));
  worker = await buildFunction(ROOT, WORKER, apiDir, { sourcemap: true });
}, 240_000);

afterAll(async () => {
  await sim?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
  if (apiDir) rmSync(apiDir, { recursive: true, force: true });
});

/**
 * A chunk's hash covers its source map, whose source paths are relative to the output directory, so
 * the same build names its chunks differently in another directory: files are compared by their
 * name without the hash (`msal-app`, `chunk`), and their text with every chunk name so reduced.
 */
const HASHED = /-[A-Z0-9]{8}(?=\.mjs)/g;
const unhashed = (text: string) => text.replace(HASHED, '');
/** The one file of an asset directory whose unhashed name is `<name>.mjs`. */
const chunkIn = (dir: string, name: string) => {
  const found = readdirSync(dir).filter((f) => f.endsWith(options.OUTPUT_EXTENSION) && unhashed(f) === `${name}${options.OUTPUT_EXTENSION}`);
  expect(found, `${name} in ${dir}`).toHaveLength(1);
  return found[0];
};
/** The lazily loaded modules of the worker, by their chunk names (the modules' own names). */
const MSAL = 'msal-app';
const SQS = 'sqs-work-queue-app';
const SECRETS_MANAGER = 'secrets-manager-app';
/** index.mjs and the files it imports statically, as Node loads them: what a cold start reads. */
function coldFiles(dir: string): string[] {
  const seen = new Set([INDEX]);
  const visit = (file: string) => {
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/([\w.-]+\.mjs)"/g)) {
      if (!seen.has(m[1])) { seen.add(m[1]); visit(m[1]); }
    }
  };
  visit(INDEX);
  return [...seen];
}

const read = (entry: string, file: string) => readFileSync(path.join(assets[entry], file), 'utf8');

/** Runs the probe bundle's handler in a fresh node process, as Lambda would import it. */
async function runProbe(dir: string, event: object = { settings: sim.settingsFor('contoso'), secret: 'local-sim-secret' }, env: Record<string, string> = {}) {
  const script = `const { handler } = await import(${JSON.stringify(path.join(dir, INDEX))}); console.log(JSON.stringify(await handler(JSON.parse(process.argv[1]))));`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script, JSON.stringify(event)], { env: { PATH: process.env.PATH, ...env } });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** An HTTP server that records each request's X-Amz-Target and answers 400 with an AWS-shaped JSON error. */
async function recordingEndpoint() {
  const targets: string[] = [];
  const server: Server = createServer((req, res) => {
    targets.push(String(req.headers['x-amz-target']));
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'ProbeRefused;Sender' });
      res.end(JSON.stringify({ __type: 'ProbeRefused', message: 'not an AWS service' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { targets, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
/** What a deployed worker's environment holds that the clients read (no key is real). */
const LAMBDA_ENV = {
  AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'fake-probe-key-id', AWS_SECRET_ACCESS_KEY: 'fake-probe-secret',
  TABLE_NAME: 'probe-table', CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:probe-cursor-AbCdEf',
};

describe('the run worker loads MSAL and its SQS and Secrets Manager clients from chunks on first use (NodejsFunction bundling, issue 18)', () => {
  it("the run worker's asset holds index.mjs and its chunks, each with its source map; MSAL, SQS and Secrets Manager are in lazy chunks only", () => {
    const dir = assets[WORKER.entry];
    const js = readdirSync(dir).filter((f) => f.endsWith(options.OUTPUT_EXTENSION));
    expect(readdirSync(dir).sort()).toEqual(js.flatMap((f) => [f, `${f}.map`]).sort());
    const coldNames = coldFiles(dir);
    const cold = coldNames.map((f) => read(WORKER.entry, f)).join('\n');
    expect(coldNames.map(unhashed).filter((f) => !/^(index|chunk)\.mjs$/.test(f))).toEqual([]);
    const msal = read(WORKER.entry, chunkIn(dir, MSAL));
    expect(MSAL_MARKERS.filter((m) => cold.includes(m))).toEqual([]);
    expect(MSAL_MARKERS.filter((m) => !msal.includes(m))).toEqual([]);
    for (const name of [MSAL, SQS, SECRETS_MANAGER]) expect(cold).toContain(`import("./${chunkIn(dir, name)}")`);
    // the service names the SDK's clients sign with: in the lazy chunks, not in what a cold start reads
    expect(cold).not.toMatch(/AmazonSQS|"Secrets Manager"/);
    expect(read(WORKER.entry, chunkIn(dir, SQS))).toContain('AmazonSQS');
    expect(read(WORKER.entry, chunkIn(dir, SECRETS_MANAGER))).toContain('"Secrets Manager"');
    expect(msal).toContain(`//# sourceMappingURL=${chunkIn(dir, MSAL)}.map`);
  });

  it('the MSAL chunk is an ES module exporting what the token source uses', async () => {
    const mod = await import(path.join(assets[WORKER.entry], chunkIn(assets[WORKER.entry], MSAL)));
    expect(typeof mod.ConfidentialClientApplication).toBe('function');
    expect(mod.LogLevel.Error).toBeTypeOf('number');
  });

  it('the bench and the budget test build what NodejsFunction deploys (functionBuild, with source maps): the same files, the same code', () => {
    const built = worker.outputFiles.filter((f) => f.path.endsWith(options.OUTPUT_EXTENSION)).map((f) => [unhashed(path.basename(f.path)), unhashed(f.text)] as const).sort();
    const deployed = readdirSync(assets[WORKER.entry]).filter((f) => f.endsWith(options.OUTPUT_EXTENSION)).map((f) => [unhashed(f), unhashed(read(WORKER.entry, f))] as const).sort();
    expect(built.map(([f]) => f)).toEqual(deployed.map(([f]) => f));
    for (let i = 0; i < built.length; i++) expect(built[i][1] === deployed[i][1], built[i][0]).toBe(true);
    // and what they count as a cold start is what Node loads from the asset
    expect([worker.main, ...worker.eager].map((f) => unhashed(f.file)).sort()).toEqual(coldFiles(assets[WORKER.entry]).map(unhashed).sort());
  });

  it('the built token path loads the MSAL chunk on the first token and gets one from the token endpoint; without the chunk it cannot', async () => {
    sim.requests.length = 0;
    expect(await runProbe(assets[PROBE.entry])).toEqual({ groups: expect.any(Number) });
    expect(sim.requests.filter((r) => r.version === null)).toHaveLength(1); // one token POST, made by MSAL
    const without = mkdtempSync(path.join(ROOT, '.local', 'split-without-'));
    try {
      cpSync(assets[PROBE.entry], without, { recursive: true });
      const msalChunk = chunkIn(without, MSAL);
      rmSync(path.join(without, msalChunk));
      expect(existsSync(path.join(without, INDEX))).toBe(true);
      const err = await runProbe(without).catch((e: Error & { stderr?: string }) => e);
      const name = msalChunk.replace(/\./g, '\\.');
      expect(String((err as { stderr?: string }).stderr)).toMatch(new RegExp(`ERR_MODULE_NOT_FOUND[\\s\\S]*${name}|${name}[\\s\\S]*ERR_MODULE_NOT_FOUND`));
    } finally {
      rmSync(without, { recursive: true, force: true });
    }
  });

  it('the built SQS and Secrets Manager clients load from their chunks on first use and send; without the chunks they cannot', async () => {
    const endpoint = await recordingEndpoint();
    const without = mkdtempSync(path.join(ROOT, '.local', 'split-without-'));
    try {
      const env = { ...LAMBDA_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url };
      const sent = await runProbe(assets[PROBE.entry], { endpoint: endpoint.url }, env);
      expect(sent).toEqual({ sqs: 'ProbeRefused', secretsManager: 'ProbeRefused' });
      expect(endpoint.targets).toEqual(['AmazonSQS.SendMessage', 'secretsmanager.GetSecretValue']);
      cpSync(assets[PROBE.entry], without, { recursive: true });
      for (const name of [SQS, SECRETS_MANAGER]) rmSync(path.join(without, chunkIn(without, name)));
      endpoint.targets.length = 0;
      expect(await runProbe(without, { endpoint: endpoint.url }, env)).toEqual({ sqs: 'ERR_MODULE_NOT_FOUND', secretsManager: 'ERR_MODULE_NOT_FOUND' });
      expect(endpoint.targets).toEqual([]);
    } finally {
      rmSync(without, { recursive: true, force: true });
      await endpoint.close();
    }
  });
});
