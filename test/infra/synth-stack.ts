/**
 * Synthesizes the real app (infra/app.ts buildApp, cdk-nag included) for the infra tests, without
 * running esbuild: bundling 31 functions adds nothing the template assertions look at (bundle sizes
 * are measured by scripts/bundle-sizes.ts; `npm run synth` bundles for real).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp, PROJECT_ROOT } from '../../infra/app.js';
import type { OperationRunsStack } from '../../infra/stack.js';

export interface SynthResult {
  template: Template;
  /** the error app.synth() threw (cdk-nag findings fail synth), if any */
  synthError?: Error;
  outdir: string;
  app: App;
  /** the synthesized stack, so tests find a construct's logical id (no resource has a fixed name) */
  stack: OperationRunsStack;
  /** every `Validations.of(x).acknowledge()` in the app, for the report and the reason check */
  acknowledgements: { path: string; id: string; reason: string }[];
}

/** `amend` may add resources to the stack before synthesis (the cdk-nag control test does). */
export function synthStack(context: Record<string, unknown> = {}, amend?: (stack: Stack) => void): SynthResult {
  mkdirSync(join(PROJECT_ROOT, '.local'), { recursive: true });
  const outdir = mkdtempSync(join(PROJECT_ROOT, '.local', 'cdk-test-'));
  const { app, stack } = buildApp({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], ...readCdkJsonContext(), ...context },
  });
  amend?.(stack);
  let synthError: Error | undefined;
  let template: Template;
  try {
    const assembly = app.synth();
    template = Template.fromJSON(JSON.parse(readFileSync(join(assembly.directory, stack.templateFile), 'utf8')));
  } catch (e) {
    synthError = e as Error;
    template = Template.fromJSON({ Resources: {} });
  }
  return { template, synthError, outdir, app, stack, acknowledgements: acknowledgementsOf(app) };
}

/** The app's real defaults (cdk.json's context), which the CLI would otherwise pass in. */
function readCdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context ?? {};
}

const ACKNOWLEDGED = 'aws:cdk:acknowledged-rules';

function acknowledgementsOf(root: IConstruct) {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === ACKNOWLEDGED)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
}
