/**
 * Issue 18 item 1, the parts that are facts of the bundles rather than timings: every deployed
 * function bundled as NodejsFunction bundles it (infra/constructs/bundling-options.ts), then checked
 * for what must not be in it. Sizes are bytes of a deterministic build, not a timing.
 */
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import * as options from '../../infra/constructs/bundling-options.js';
import { deployedFunctions } from '../../infra/constructs/deployed-functions.js';
import { streamPublisher } from '../../shared/wiring.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** Was 510–1,072 KiB before issue 18; every function is at most 400 KiB, the two public constants at most 100 KiB. */
const CEILING_KIB = 400;
/**
 * Named exceptions, each at its measured size (+ under 2 KiB), so none can grow unnoticed:
 *
 * - The run worker is the one function that calls Graph as the app: DynamoDB, SQS (continuations),
 *   Secrets Manager (Graph credentials), the Graph client, every executor and every store. MSAL
 *   (@azure/msal-node + msal-common + jsonwebtoken, which signs certificate assertions: ~234 KiB
 *   minified, issue 13 §9) is not in its index.mjs but in `msal-app.mjs` beside it, imported on the
 *   first token (bundling-options.ts SPLIT_MODULES); 679 KiB while it was in the one file. +1 KiB
 *   when the local secret book (which its resolver reads locally) learned creation dates and
 *   scheduled deletions for the orphan reconciler.
 *
 * Every other function is under the ceiling since issue 18's third pass (each bundles only the
 * stores it uses: shared/store/stores.ts).
 */
const OVER_CEILING_KIB: Record<string, number> = {
  'functions/workers/run-worker.ts': 441,
};
const PUBLIC_CEILING_KIB = 100;
const PUBLIC_ENTRIES = ['functions/api/health.ts', 'functions/api/openapi.ts'];
/** MSAL's packages: in the worker's split module only, never in an index.mjs. */
const MSAL = /node_modules\/(@azure\/msal-(node|common)|jsonwebtoken)\//;

interface Bundle {
  entry: string; sendWork: boolean; readOnly: boolean; kib: number; inputs: string[];
  /** the external modules the output imports, with how (import-statement, require-call, dynamic-import) */
  externals: string[];
  /** `require` calls that reach one of the built-in shims (they would get its namespace, not the module) */
  shimRequires: string[];
  /** the split modules its asset carries beside index.mjs: file name and inputs */
  splits: { file: string; kib: number; inputs: string[] }[];
}
let bundles: Bundle[] = [];

beforeAll(async () => {
  // One esbuild service builds them concurrently (it is multi-threaded itself).
  bundles = await Promise.all(deployedFunctions().map(async (f): Promise<Bundle> => {
    const [out, ...splits] = await Promise.all(options.functionBuilds(ROOT, f, path.join(ROOT, '.local', 'bundle-budget', f.id)).map((o) => build(o)));
    const meta: Metafile = out.metafile;
    // One stream-publisher bundle serves both dispatch modes; with DISPATCH_MODE=outbox it sends work.
    const access = f.entry === streamPublisher.entry ? streamPublisher.outboxAccess : f.access;
    const inputs = inputsOf(meta);
    return {
      entry: f.entry,
      // the work queue or the schedule queue (the tick): both need the SQS client
      sendWork: access.sendWork === true || access.sendSchedules === true,
      readOnly: access.table !== 'readwrite' && !access.sendWork && !access.sendSchedules,
      kib: out.outputFiles[0].contents.byteLength / 1024,
      inputs,
      externals: Object.values(meta.outputs)[0].imports.filter((i) => i.external).map((i) => `${i.kind} ${i.path}`),
      shimRequires: Object.entries(meta.inputs).flatMap(([from, i]) => i.imports.filter((x) => x.kind === 'require-call' && x.path.includes('builtin-shims/')).map((x) => `${from} → ${x.path}`)),
      splits: splits.map((x) => ({ file: path.basename(x.outputFiles[0].path), kib: x.outputFiles[0].contents.byteLength / 1024, inputs: inputsOf(x.metafile) })),
    };
  }));
}, 300_000);

/** The inputs that put code into the (one) output. */
const inputsOf = (meta: Metafile) => Object.entries(Object.values(meta.outputs)[0].inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p);

const having = (re: RegExp) => bundles.filter((b) => b.inputs.some((i) => re.test(i))).map((b) => b.entry);

describe('deployed bundles (issue 18)', () => {
  it('bundles every deployed function', () => {
    expect(bundles.length).toBe(deployedFunctions().length);
    expect(bundles.length).toBeGreaterThan(20);
  });

  it(`each bundle is at most ${CEILING_KIB} KiB, or its named figure`, () => {
    expect(bundles.filter((b) => b.kib > (OVER_CEILING_KIB[b.entry] ?? CEILING_KIB)).map((b) => `${b.entry} ${b.kib.toFixed(1)} KiB`)).toEqual([]);
  });

  it('every named exception is still over the ceiling (a function that shrank below it loses its exception)', () => {
    const byEntry = new Map(bundles.map((b) => [b.entry, b.kib]));
    expect(Object.keys(OVER_CEILING_KIB).filter((e) => !((byEntry.get(e) ?? 0) > CEILING_KIB))).toEqual([]);
  });

  it('only the orphan reconciler bundles the secret lister (ListSecrets): the tenant routes and the sweeper stay as they were', () => {
    expect(having(/shared\/graph\/secret-lister\.ts$/)).toEqual(['functions/schedules/secret-reconciler.ts']);
  });

  it('MSAL is in no index.mjs: the run worker carries it in msal-app.mjs beside it, and no other function carries it at all', () => {
    expect(having(MSAL)).toEqual([]);
    const carriers = bundles.filter((b) => b.splits.some((x) => x.inputs.some((i) => MSAL.test(i))));
    expect(carriers.map((b) => `${b.entry}: ${b.splits.map((x) => x.file).join(', ')}`)).toEqual(['functions/workers/run-worker.ts: msal-app.mjs']);
    expect(carriers[0].splits[0].kib).toBeGreaterThan(150); // the split module holds MSAL itself, not a re-export of it
  });

  it('a function imports a split module exactly when its asset carries the file (a missing file fails at the first token, a needless one is dead weight)', () => {
    for (const m of options.SPLIT_MODULES) {
      const importing = bundles.filter((b) => b.externals.includes(`dynamic-import ./${m.file}`)).map((b) => b.entry);
      const carrying = bundles.filter((b) => b.splits.some((x) => x.file === m.file)).map((b) => b.entry);
      expect(importing).toEqual(carrying);
      expect(importing.length).toBeGreaterThan(0);
    }
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

  it('read-only functions do not bundle the SQS client; functions that send to a queue do', () => {
    const sqs = new Set(having(/@aws-sdk\/client-sqs\//));
    expect(bundles.filter((b) => b.readOnly && sqs.has(b.entry)).map((b) => b.entry)).toEqual([]);
    expect(bundles.filter((b) => b.sendWork && !sqs.has(b.entry)).map((b) => b.entry)).toEqual([]);
  });
});
