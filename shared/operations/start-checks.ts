/**
 * Per-type checks at start (§3): references the input names must exist in the tenant and
 * preconditions must hold, else 422 (PreconditionFailedError) before any run is written.
 * A check may also give the run its initial context, a pre-chosen id, and domain records to write in
 * the same transaction as the run. DB only — never Graph.
 */
import type { OperationType } from '../runs/catalog.js';
import type { StartRunRequest } from '../runs/service.js';
import type { Stores } from '../store/stores.js';

export interface StartCheckDeps {
  stores: Stores;
  clock: () => Date;
}

export type StartPlan = Pick<StartRunRequest, 'context' | 'companions' | 'runId'>;

export type StartCheck = (tenantId: string, input: any, deps: StartCheckDeps) => Promise<StartPlan>;

const checks: Partial<Record<OperationType, StartCheck>> = {};

/** Registers the start check of an operation type (the domain modules call this). */
export function registerStartCheck(type: OperationType, check: StartCheck) {
  checks[type] = check;
}

export async function planStart(type: OperationType, tenantId: string, input: unknown, deps: StartCheckDeps): Promise<StartPlan> {
  const check = checks[type];
  return check ? check(tenantId, input, deps) : {};
}
