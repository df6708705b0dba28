/**
 * Every function the CDK stack deploys, derived from shared/wiring.ts (no aws-cdk-lib import, so
 * scripts/bundle-sizes.ts and tests can read it cheaply).
 */
import { queues, routes, rules, schedules, secretSweeper, streamPublisher, type FunctionAccess, type RouteDef } from '../../shared/wiring.js';

export type FunctionTrigger = 'route' | 'queue' | 'stream' | 'rule' | 'schedule';

export interface DeployedFunction {
  /** construct id, PascalCase of the entry file's base name (start-run.ts → StartRun) */
  id: string;
  /** entry file relative to the project root */
  entry: string;
  trigger: FunctionTrigger;
  access: FunctionAccess;
  timeoutSeconds?: number;
  memoryMb?: number;
}

export const functionId = (entry: string): string =>
  entry
    .replace(/^.*\//, '')
    .replace(/\.[cm]?[jt]s$/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

/** Routes that exist in AWS: the `localOnly` ones (/dev/*) are never deployed (§10). */
export const deployedRoutes = (): RouteDef[] => routes.filter((r) => !r.localOnly);

export function deployedFunctions(): DeployedFunction[] {
  const all: DeployedFunction[] = [
    ...deployedRoutes().map((r) => ({ entry: r.entry, trigger: 'route' as const, access: r.access, timeoutSeconds: r.timeoutSeconds, memoryMb: r.memoryMb })),
    ...Object.values(queues).map((q) => ({ entry: q.consumer, trigger: 'queue' as const, access: q.access, timeoutSeconds: q.timeoutSeconds, memoryMb: q.memoryMb })),
    { entry: streamPublisher.entry, trigger: 'stream' as const, access: streamPublisher.access, timeoutSeconds: streamPublisher.timeoutSeconds, memoryMb: streamPublisher.memoryMb },
    { entry: secretSweeper.entry, trigger: 'stream' as const, access: secretSweeper.access, timeoutSeconds: secretSweeper.timeoutSeconds, memoryMb: secretSweeper.memoryMb },
    ...rules.map((r) => ({ entry: r.entry, trigger: 'rule' as const, access: r.access, timeoutSeconds: r.timeoutSeconds })),
    ...schedules.map((s) => ({ entry: s.entry, trigger: 'schedule' as const, access: s.access, timeoutSeconds: s.timeoutSeconds })),
  ].map((f) => ({ ...f, id: functionId(f.entry) }));
  // One Lambda per entry file: two wiring items sharing an entry would need one construct id.
  const seen = new Set<string>();
  for (const f of all) {
    if (seen.has(f.id)) throw new Error(`two deployed functions share the construct id ${f.id} (${f.entry})`);
    seen.add(f.id);
  }
  return all;
}

/** The deployed definition of one wiring entry. */
export function definitionOf(entry: string): DeployedFunction {
  const found = deployedFunctions().find((f) => f.entry === entry);
  if (!found) throw new Error(`${entry} is not a deployed function in shared/wiring.ts`);
  return found;
}
