/**
 * The operation catalog (SPEC §3), derived from one list: every type's definition and start plan.
 * DynamoDB-only — it imports no executor, so the start handler and GET /operation-types never load
 * Graph code. The worker's list of whole modules (definition + plan + executor) is ./index.ts; the
 * type check there proves both lists cover the same types.
 */
import * as z from '../zod.js';
import { backupScheduleRetryStart } from './backup-schedule-retry.definition.js';
import { backupScheduleRunNowStart } from './backup-schedule-run.definition.js';
import { backupSetAddPoliciesStart } from './backup-set-add-policies.definition.js';
import { directoryGroupsSyncStart } from './directory-groups-sync.definition.js';
import { driftGenerateStart } from './drift-generate.definition.js';
import { graphConnectionCheckStart } from './graph-connection-check.definition.js';
import { inventorySyncStart } from './inventory-sync.definition.js';
import type { DomainRecords, DomainRowDecl, OperationDefinition, OperationStart, StartCheckDeps, StartPlan } from './module.js';
import { policySyncStart } from './policy-sync.definition.js';
import { restoreExecuteStart } from './restore-execute.definition.js';

/** Every operation type's definition and start plan, in catalog order (GET /operation-types lists them so). */
export const OPERATION_STARTS = [
  inventorySyncStart,
  policySyncStart,
  directoryGroupsSyncStart,
  driftGenerateStart,
  backupSetAddPoliciesStart,
  backupScheduleRunNowStart,
  backupScheduleRetryStart,
  restoreExecuteStart,
  graphConnectionCheckStart,
] as const satisfies readonly OperationStart<string, z.ZodMiniObject>[];

type Starts = (typeof OPERATION_STARTS)[number];
export type OperationType = Starts['definition']['type'];
type StartOf<T extends OperationType> = Extract<Starts, { definition: { type: T } }>;
export type OperationInput<T extends OperationType> = z.infer<StartOf<T>['definition']['schema']>;

export const OPERATION_TYPES: OperationType[] = OPERATION_STARTS.map((s) => s.definition.type);

const byType = <V>(pick: (s: Starts) => V) => Object.fromEntries(OPERATION_STARTS.map((s) => [s.definition.type, pick(s)]));

/**
 * Each type's definition plus its domain rows' projection (`project`): the run service receives the
 * projections through this catalog, so the run core never imports the operation modules.
 */
export const CATALOG = byType((s) => ({ ...(s.definition as OperationDefinition), project: s.records.project })) as Record<
  OperationType,
  OperationDefinition<OperationType, z.ZodMiniObject> & { project: DomainRecords['project'] }
>;

/** Every type's declared domain rows (docs/ARCHITECTURE.md "Domain records" lists them). */
export const DOMAIN_ROWS = byType((s) => s.records.rows) as Record<OperationType, readonly DomainRowDecl[]>;

export const inputSchemas = byType((s) => s.definition.schema) as { [T in OperationType]: StartOf<T>['definition']['schema'] };

export const isOperationType = (t: unknown): t is OperationType =>
  typeof t === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, t);

/** JSON Schema of each type's input (for GET /operation-types and the console's start forms). */
export function operationTypeList() {
  return OPERATION_STARTS.map(({ definition: def }) => ({ type: def.type, label: def.label, minimumRole: def.minimumRole, inputSchema: z.toJSONSchema(def.schema) }));
}

const PLANS = byType((s) => s.plan) as Record<OperationType, (tenantId: string, input: unknown, deps: StartCheckDeps) => Promise<StartPlan>>;

/** Runs the type's start plan: 422 checks before any write, context and companion records. */
export function planStart(type: OperationType, tenantId: string, input: unknown, deps: StartCheckDeps): Promise<StartPlan> {
  return PLANS[type](tenantId, input, deps);
}

export type { StartCheckDeps, StartPlan } from './module.js';
