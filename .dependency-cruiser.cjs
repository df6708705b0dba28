/**
 * Import rules, checked by test/unit/import-rules.test.ts (part of `npm test`) and by hand with
 *   npx depcruise shared functions infra console scripts test --config .dependency-cruiser.cjs
 *
 * Type-only imports count: a cycle through `import type` still ties the modules' designs together.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere (issue 12 §7): each layer depends only on layers below it.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      scope: 'folder',
      comment:
        'No cycles between folders either (console/ and infra/local/ used to lean on each other). ' +
        'Scoped: the sub-folders of shared/ still lean on each other (runs ↔ store, store ↔ notifications, ' +
        'observability ↔ events) until the ports refactoring of issue 12 lands; drop the pathNot then.',
      from: { pathNot: '^shared/' },
      to: { circular: true },
    },
    {
      name: 'run-core-owns-its-ports',
      severity: 'error',
      comment:
        'shared/runs/ is the pure run core: it declares the ports it needs (runs/ports.ts) and imports ' +
        'nothing from the store or the queue, which implement them.',
      from: { path: '^shared/runs/' },
      to: { path: '^shared/(store|queue)/' },
    },
    {
      name: 'settings-is-a-leaf',
      severity: 'error',
      comment: 'shared/settings.ts is read by every layer, so it imports no project module but the declarations it derives from (wiring, metric names) and the project\'s zod (shared/zod.ts).',
      from: { path: '^shared/settings\\.ts$' },
      to: { path: '^(shared|functions|infra|console|scripts|test)/', pathNot: '^shared/(wiring|zod|observability/metric-names)\\.ts$' },
    },
    {
      name: 'zod-mini-only',
      severity: 'error',
      comment:
        'Deployed code validates with zod/mini through shared/zod.ts (issue 18): classic zod puts every method of every ' +
        'schema in every bundle (~100 KiB against ~30 KiB), which test/unit/bundle-budget.test.ts would refuse anyway.',
      from: { path: '^(shared|functions|infra)/' },
      to: { path: '^zod$|node_modules/zod/(index\\.[cm]?js|v4/classic/)' },
    },
    {
      name: 'shared-never-reaches-up',
      severity: 'error',
      comment: 'shared/ is what the entry points share: it never imports a Lambda entry, the CDK app, the local runtime, the console or a test.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|console|scripts|test)/' },
    },
    {
      name: 'events-not-through-http',
      severity: 'error',
      comment: 'Event consumers (functions/events, shared/events, shared/notifications) get their deps from shared/events/deps.ts, not from the HTTP layer.',
      from: { path: '^(functions/events|shared/events|shared/notifications)/' },
      to: { path: '^shared/http/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|cdk\\.out|\\.local|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
