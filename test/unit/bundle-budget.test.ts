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

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
/** Was 510–1,072 KiB before issue 18; the target is 400 KiB (BENCHMARKS.md says where each stands). */
// A regression guard, not the target: the target is 400 KiB and is not met yet (BENCHMARKS.md). The
// merges after the first cut (quota counter, cursor key from Secrets Manager, schedule rules) brought
// the largest bundle (backup-tick) to ~510 KiB.
const CEILING_KIB = 525;
/**
 * Issue 13 §9: MSAL (@azure/msal-node + msal-common + jsonwebtoken, which it signs certificate
 * assertions with) adds ~221 KiB minified, and only the run worker — the one function that calls
 * Graph as the app — may carry it. Its bundle gets that allowance on top of the ceiling; every other
 * bundle keeps the ceiling and must not contain MSAL (BENCHMARKS.md).
 */
const MSAL_ALLOWANCE_KIB = 230;
const MSAL = /node_modules\/(@azure\/msal-(node|common)|jsonwebtoken)\//;

interface Bundle { entry: string; sendWork: boolean; readOnly: boolean; kib: number; inputs: string[] }
let bundles: Bundle[] = [];

beforeAll(async () => {
  // One esbuild service builds them concurrently (it is multi-threaded itself).
  bundles = await Promise.all(deployedFunctions().map(async (f): Promise<Bundle> => {
    const out = await build({
      entryPoints: [path.join(ROOT, f.entry)], absWorkingDir: ROOT, bundle: true, write: false,
      outfile: path.join(ROOT, '.local', 'bundle-budget', f.id, `index${options.OUTPUT_EXTENSION}`),
      platform: 'node', format: 'esm', target: options.NODE_TARGET, minify: options.MINIFY,
      mainFields: options.MAIN_FIELDS, external: options.EXTERNAL_MODULES,
      banner: { js: options.ESM_REQUIRE_BANNER }, metafile: true, logLevel: 'silent',
    });
    const meta: Metafile = out.metafile;
    const inputs = Object.entries(Object.values(meta.outputs)[0].inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p);
    return {
      entry: f.entry,
      // the work queue or the schedule queue (the tick): both need the SQS client
      sendWork: f.access.sendWork === true || f.access.sendSchedules === true,
      readOnly: f.access.table !== 'readwrite' && !f.access.sendWork && !f.access.sendSchedules,
      kib: out.outputFiles[0].contents.byteLength / 1024,
      inputs,
    };
  }));
}, 300_000);

const having = (re: RegExp) => bundles.filter((b) => b.inputs.some((i) => re.test(i))).map((b) => b.entry);

describe('deployed bundles (issue 18)', () => {
  it('bundles every deployed function', () => {
    expect(bundles.length).toBe(deployedFunctions().length);
    expect(bundles.length).toBeGreaterThan(20);
  });

  it(`each bundle is at most ${CEILING_KIB} KiB (the run worker: plus ${MSAL_ALLOWANCE_KIB} KiB for MSAL)`, () => {
    const msal = new Set(having(MSAL));
    expect(bundles.filter((b) => b.kib > CEILING_KIB + (msal.has(b.entry) ? MSAL_ALLOWANCE_KIB : 0)).map((b) => `${b.entry} ${b.kib.toFixed(1)} KiB`)).toEqual([]);
  });

  it('MSAL is bundled by the run worker only (API routes, group search included, never carry it)', () => {
    expect(having(MSAL)).toEqual(['functions/workers/run-worker.ts']);
  });

  it("zod comes in without its locales (import * as z, not import { z })", () => {
    expect(having(/node_modules\/zod\/v4\/locales\/(?!en\.js)/)).toEqual([]);
    expect(having(/node_modules\/zod\//).length).toBeGreaterThan(0); // the check looks at the right paths
  });

  it('no function bundles Powertools Tracer / the X-Ray SDK unless its entry opts in (none does)', () => {
    expect(having(/aws-xray-sdk-core|@aws-lambda-powertools\/tracer/)).toEqual([]);
  });

  it('the credential providers a Lambda never reaches stay out (externals)', () => {
    expect(having(/@aws-sdk\/(nested-clients|credential-provider-(sso|ini|process|web-identity|http|login)|token-providers)\//)).toEqual([]);
    expect(having(/@aws-sdk\/credential-provider-env\//).length).toBe(bundles.length); // fromEnv stays
  });

  it('read-only functions do not bundle the SQS client; functions that send to a queue do', () => {
    const sqs = new Set(having(/@aws-sdk\/client-sqs\//));
    expect(bundles.filter((b) => b.readOnly && sqs.has(b.entry)).map((b) => b.entry)).toEqual([]);
    expect(bundles.filter((b) => b.sendWork && !sqs.has(b.entry)).map((b) => b.entry)).toEqual([]);
  });
});
