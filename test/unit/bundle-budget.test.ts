/**
 * Issue 18 item 1, the parts that are facts of the bundles rather than timings: every deployed
 * function bundled as NodejsFunction bundles it (infra/constructs/bundling-options.ts), then checked
 * for what must not be in it. Sizes are bytes of a deterministic build, not a timing.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as options from '../../infra/constructs/bundling-options.js';
import { buildFunction, inputsOf } from '../../infra/constructs/built-function.js';
import { deployedFunctions } from '../../infra/constructs/deployed-functions.js';
import { streamPublisher } from '../../shared/wiring.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/**
 * Was 510–1,072 KiB before issue 18. Every function's cold-start bytes — index.mjs and the chunks it
 * imports statically — are at most 400 KiB, the two public constants at most 100 KiB. What a function
 * imports on first use is in chunks of its own (bundling-options.ts, code splitting) and not counted:
 * the run worker's MSAL (~233 KiB, first token), SQS client (first continuation) and Secrets Manager
 * client (first secret); 679 KiB in one file before MSAL moved, 440 KiB before the other two.
 */
const CEILING_KIB = 400;
const PUBLIC_CEILING_KIB = 100;
const PUBLIC_ENTRIES = ['functions/api/health.ts', 'functions/api/openapi.ts'];
/** MSAL's packages: in the worker's split module only, never in an index.mjs. */
const MSAL = /node_modules\/(@azure\/msal-(node|common)|jsonwebtoken)\//;

interface Bundle {
  entry: string; sendWork: boolean; readOnly: boolean;
  /** cold-start bytes: index.mjs and its eager chunks */
  kib: number;
  /** the inputs a cold start reads (index.mjs and its eager chunks) */
  inputs: string[];
  /** the external modules the outputs import, with how (import-statement, require-call, dynamic-import) */
  externals: string[];
  /** `require` calls that reach one of the built-in shims (they would get its namespace, not the module) */
  shimRequires: string[];
  /** the chunks it imports on first use: file name, size and inputs */
  lazy: { file: string; kib: number; inputs: string[] }[];
}
let bundles: Bundle[] = [];

beforeAll(async () => {
  // One esbuild service builds them concurrently (it is multi-threaded itself).
  bundles = await Promise.all(deployedFunctions().map(async (f): Promise<Bundle> => {
    const built = await buildFunction(ROOT, f, path.join(ROOT, '.local', 'bundle-budget', f.id));
    const meta = built.metafile;
    // One stream-publisher bundle serves both dispatch modes; with DISPATCH_MODE=outbox it sends work.
    const access = f.entry === streamPublisher.entry ? streamPublisher.outboxAccess : f.access;
    return {
      entry: f.entry,
      // the work queue or the schedule queue (the tick): both need the SQS client
      sendWork: access.sendWork === true || access.sendSchedules === true,
      readOnly: access.table !== 'readwrite' && !access.sendWork && !access.sendSchedules,
      kib: built.coldBytes / 1024,
      inputs: Object.keys(inputsOf([built.main, ...built.eager])),
      externals: built.externals,
      shimRequires: Object.entries(meta.inputs).flatMap(([from, i]) => i.imports.filter((x) => x.kind === 'require-call' && x.path.includes('builtin-shims/')).map((x) => `${from} → ${x.path}`)),
      lazy: built.lazy.map((c) => ({ file: c.file, kib: c.bytes / 1024, inputs: Object.keys(c.inputs) })),
    };
  }));
}, 300_000);

/** The functions that bundle `re` in what their cold start reads. */
const having = (re: RegExp) => bundles.filter((b) => b.inputs.some((i) => re.test(i))).map((b) => b.entry);

describe('deployed bundles (issue 18)', () => {
  it('bundles every deployed function', () => {
    expect(bundles.length).toBe(deployedFunctions().length);
    expect(bundles.length).toBeGreaterThan(20);
  });

  it(`each function's cold start reads at most ${CEILING_KIB} KiB (index.mjs and the chunks it imports statically)`, () => {
    expect(bundles.filter((b) => b.kib > CEILING_KIB).map((b) => `${b.entry} ${b.kib.toFixed(1)} KiB`)).toEqual([]);
    // the sizes are what they claim to be: the run worker's cold start still carries the DynamoDB client and its executors
    const worker = bundles.find((b) => b.entry === 'functions/workers/run-worker.ts')!;
    expect(worker.kib).toBeGreaterThan(300);
  });

  it('only the orphan reconciler bundles the secret lister (ListSecrets): the tenant routes and the sweeper stay as they were', () => {
    expect(having(/shared\/graph\/secret-lister\.ts$/)).toEqual(['functions/schedules/secret-reconciler.ts']);
  });

  it("MSAL is in no function's cold start: the run worker loads it from a chunk of its own on the first token, and no other function carries it", () => {
    expect(having(MSAL)).toEqual([]);
    const carriers = bundles.filter((b) => b.lazy.some((x) => x.inputs.some((i) => MSAL.test(i))));
    expect(carriers.map((b) => `${b.entry}: ${b.lazy.filter((x) => x.inputs.some((i) => MSAL.test(i))).map((x) => x.file.replace(/-\w+\.mjs$/, ''))}`)).toEqual(['functions/workers/run-worker.ts: msal-app']);
    expect(carriers[0].lazy.find((x) => x.file.startsWith('msal-app-'))!.kib).toBeGreaterThan(150); // the chunk holds MSAL itself, not a re-export of it
  });

  it("the run worker's cold start reads neither the SQS nor the Secrets Manager client: each is a chunk loaded on first use", () => {
    const worker = bundles.find((b) => b.entry === 'functions/workers/run-worker.ts')!;
    for (const pkg of [/@aws-sdk\/client-sqs\//, /@aws-sdk\/client-secrets-manager\//]) {
      expect(worker.inputs.filter((i) => pkg.test(i))).toEqual([]);
      expect(worker.lazy.filter((x) => x.inputs.some((i) => pkg.test(i))).length).toBe(1);
    }
    // what the worker uses on every invocation is in its cold start
    expect(worker.inputs.filter((i) => /@aws-sdk\/client-dynamodb\//.test(i)).length).toBeGreaterThan(0);
  });

  it('no API function reads the Secrets Manager client at cold start: the cursor key loads it on the first signed cursor', () => {
    expect(having(/@aws-sdk\/client-secrets-manager\//).filter((e) => e.startsWith('functions/api/') && !/create-tenant|rotate-graph-credential/.test(e))).toEqual([]);
  });

  it(`/health and /openapi.json are at most ${PUBLIC_CEILING_KIB} KiB: no zod, no SDK, no middy, no logger`, () => {
    const pub = bundles.filter((b) => PUBLIC_ENTRIES.includes(b.entry));
    expect(pub.map((b) => b.entry).sort()).toEqual([...PUBLIC_ENTRIES].sort());
    expect(pub.filter((b) => b.kib > PUBLIC_CEILING_KIB).map((b) => `${b.entry} ${b.kib.toFixed(1)} KiB`)).toEqual([]);
    expect(pub.filter((b) => b.inputs.some((i) => i.includes('node_modules/'))).map((b) => b.entry)).toEqual([]);
  });

  it('zod comes in as zod/mini with the English messages only (classic zod and the other locales stay out)', () => {
    expect(having(/node_modules\/zod\/v4\/(classic\/|locales\/(?!en\.js))/)).toEqual([]);
    expect(having(/node_modules\/zod\/v4\/mini\//).length).toBeGreaterThan(20); // the check looks at the right paths
  });

  it('the SDK parts no function of ours reaches stay out (event-stream serde, browser user-agent parser)', () => {
    expect(having(/@smithy\/core\/dist-es\/submodules\/event-streams\/|node_modules\/bowser\//)).toEqual([]);
  });

  it('the tick, reaper and DLQ handler do not bundle the Graph client or the executors; the worker does', () => {
    const graph = having(/shared\/graph\/client\.ts$/);
    expect(graph).toContain('functions/workers/run-worker.ts');
    expect(graph.filter((e) => /functions\/(schedules|workers\/dlq)/.test(e))).toEqual([]);
    expect(having(/shared\/operations\/worker\.ts$/)).toEqual(['functions/workers/run-worker.ts']);
  });

  it('no function bundles Powertools Tracer / the X-Ray SDK unless its entry opts in (none does)', () => {
    expect(having(/aws-xray-sdk-core|@aws-lambda-powertools\/tracer/)).toEqual([]);
  });

  it('the credential providers a Lambda never reaches stay out (externals)', () => {
    expect(having(/@aws-sdk\/(nested-clients|credential-provider-(sso|ini|process|web-identity|http|login)|token-providers)\//)).toEqual([]);
    expect(having(/@aws-sdk\/credential-provider-env\//).length).toBe(bundles.length - PUBLIC_ENTRIES.length); // fromEnv stays (the public constants have no SDK)
  });

  it('node:process and node:fs reach the bundles through their shims (no ESM facade at cold start), by import statements only', () => {
    const shimmed = Object.keys(options.BUILTIN_SHIMS);
    expect(bundles.flatMap((b) => b.externals.filter((x) => shimmed.includes(x.split(' ')[1])).map((x) => `${b.entry}: ${x}`))).toEqual([]);
    expect(bundles.flatMap((b) => b.shimRequires.map((x) => `${b.entry}: ${x}`))).toEqual([]);
    expect(having(/infra\/constructs\/builtin-shims\/process\.ts$/).length).toBeGreaterThan(20); // the SDK's user agent imports node:process
    // the check sees what it looks for: node:fs/promises is left to Node, and is listed as an external
    expect(bundles.some((b) => b.externals.includes('import-statement node:fs/promises'))).toBe(true);
  });

  it('read-only functions do not bundle the SQS client; functions that send to a queue do (at cold start, or in a chunk for the first send)', () => {
    const sqs = /@aws-sdk\/client-sqs\//;
    const carrying = new Set(bundles.filter((b) => b.inputs.some((i) => sqs.test(i)) || b.lazy.some((x) => x.inputs.some((i) => sqs.test(i)))).map((b) => b.entry));
    expect(bundles.filter((b) => b.readOnly && carrying.has(b.entry)).map((b) => b.entry)).toEqual([]);
    expect(bundles.filter((b) => b.sendWork && !carrying.has(b.entry)).map((b) => b.entry)).toEqual([]);
  });
});
