/**
 * The operation types, whole: ONE list registers every module (definition + start plan + executor);
 * the executor map is derived from it. Adding a type = one module + one entry here (and its
 * definition in catalog.ts's OPERATION_STARTS, which the start path loads without executors).
 * The worker imports this file; start and read paths import ./catalog.js only.
 */
import type { OperationType } from './catalog.js';
import { backupScheduleRetry } from './backup-schedule-retry.js';
import { backupScheduleRunNow } from './backup-schedule-run.js';
import { backupSetAddPolicies } from './backup-set-add-policies.js';
import { directoryGroupsSync } from './directory-groups-sync.js';
import { driftGenerate } from './drift-generate.js';
import { graphConnectionCheck } from './graph-connection-check.js';
import type { OperationExecutor } from './executor.js';
import { inventorySync } from './inventory-sync.js';
import type { OperationModule } from './module.js';
import { policySync } from './policy-sync.js';
import { restoreExecute } from './restore-execute.js';

export const OPERATION_MODULES = [
  inventorySync,
  policySync,
  directoryGroupsSync,
  driftGenerate,
  backupSetAddPolicies,
  backupScheduleRunNow,
  backupScheduleRetry,
  restoreExecute,
  graphConnectionCheck,
] as const satisfies readonly OperationModule<OperationType>[];

type Listed = (typeof OPERATION_MODULES)[number]['definition']['type'];
/** Compile-time proof that the modules list and the catalog (OPERATION_STARTS) cover the same types. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const coversCatalog: Same<Listed, OperationType> = true;
void coversCatalog;

/** The executors a worker runs by type (tests may hand a worker a subset). */
export type ExecutorRegistry = Partial<Record<OperationType, OperationExecutor>>;

export const EXECUTORS = Object.fromEntries(OPERATION_MODULES.map((m) => [m.definition.type, m.executor])) as Record<OperationType, OperationExecutor>;
