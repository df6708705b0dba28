/**
 * The import rules of .dependency-cruiser.cjs (issue 12 §7): no import cycles anywhere — between
 * modules and between folders (console/ ↔ infra/local/ included) — and the layering rules. The
 * project must pass them; and each rule must catch a small project that breaks it, so this check
 * cannot pass by resolving nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SCANNED = ['shared', 'functions', 'infra', 'console', 'scripts', 'test', 'vitest.config.ts'];

async function check(baseDir: string, targets: string[], withTsConfig: boolean): Promise<ICruiseResult> {
  const config: IConfiguration = await extractDepcruiseConfig(path.join(ROOT, '.dependency-cruiser.cjs'));
  const { tsConfig, ...options } = config.options ?? {};
  const cwd = process.cwd();
  process.chdir(baseDir); // rules match paths relative to the directory cruised from
  try {
    const result = await cruise(
      targets,
      { ...options, ...(withTsConfig ? { tsConfig } : {}), validate: true, ruleSet: { forbidden: config.forbidden } },
      {},
      withTsConfig ? { tsConfig: extractTSConfig(path.join(baseDir, 'tsconfig.json')) } : {},
    );
    return result.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}

/** One line per violation: the rule and the path it found (a cycle lists every hop). */
const describeViolations = (r: ICruiseResult) =>
  r.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle?.map((c) => c.name) ?? [v.to])].join(' → ')}`);

describe('import rules (dependency-cruiser)', () => {
  it('the project has no import cycles and keeps its layering', async () => {
    const result = await check(ROOT, SCANNED, true);
    // It really looked: every layer's modules were cruised and resolved.
    expect(result.summary.totalCruised).toBeGreaterThan(150);
    const paths = result.modules.map((m) => m.source);
    for (const p of ['shared/settings.ts', 'functions/events/notifier.ts', 'infra/local/main.ts', 'console/serve.ts', 'test/unit/import-rules.test.ts']) expect(paths).toContain(p);
    expect(result.modules.find((m) => m.source === 'infra/local/main.ts')!.dependencies.map((d) => d.resolved)).toContain('console/serve.ts');
    expect(describeViolations(result)).toEqual([]);
  }, 60_000);

  describe('each rule catches a project that breaks it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'import-rules-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    };
    // a module cycle, a folder cycle (console ↔ infra/local), the run core reaching the store,
    // shared reaching up into an entry point, the notifier taking the HTTP layer's deps, and classic zod
    write('shared/a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('shared/b.ts', "import { a } from './a.js';\nexport const b = () => a;\n");
    write('console/serve.ts', "import type { G } from '../infra/local/gateway.js';\nexport const serve: G = 1;\n");
    write('infra/local/gateway.ts', 'export type G = number;\n');
    write('infra/local/main.ts', "import { serve } from '../../console/serve.js';\nexport const main = serve;\n");
    write('shared/runs/core.ts', "import { store } from '../store/store.js';\nexport const core = store;\n");
    write('shared/store/store.ts', 'export const store = 1;\n');
    write('shared/up.ts', "import { handler } from '../functions/api/h.js';\nexport const up = handler;\n");
    write('functions/api/h.ts', 'export const handler = 1;\n');
    write('shared/http/deps.ts', 'export const apiDeps = () => 1;\n');
    write('shared/classic.ts', "import * as z from 'zod';\nexport const s = z.string();\n");
    write('functions/events/notifier.ts', "import { apiDeps } from '../../shared/http/deps.js';\nexport const handler = apiDeps;\n");

    it('reports every broken rule, with the cycle it found', async () => {
      const found = describeViolations(await check(dir, ['shared', 'console', 'infra', 'functions'], false));
      expect(found).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^no-circular: shared\/a\.ts → shared\/b\.ts → shared\/a\.ts$/),
          expect.stringMatching(/^no-circular-folders: (console → infra\/local → console|infra\/local → console → infra\/local)/),
          'run-core-owns-its-ports: shared/runs/core.ts → shared/store/store.ts',
          'shared-never-reaches-up: shared/up.ts → functions/api/h.ts',
          'events-not-through-http: functions/events/notifier.ts → shared/http/deps.ts',
          'zod-mini-only: shared/classic.ts → zod',
        ]),
      );
    }, 60_000);
  });
});
