/**
 * The executor registry: which executor does each operation type's work. A new type adds one line.
 */
import type { OperationType } from '../runs/catalog.js';
import { directoryGroupsSync } from './directory-groups-sync.js';
import type { OperationExecutor } from './executor.js';
import { inventorySync } from './inventory-sync.js';
import { policySync } from './policy-sync.js';
import { backupSetAddPolicies } from './backup-set-add-policies.js';
import { backupScheduleRunNow } from './backup-schedule-run.js';
import { backupScheduleRetry } from './backup-schedule-retry.js';
import { driftGenerate } from './drift-generate.js';
import { restoreExecute } from './restore-execute.js';

export type ExecutorRegistry = Partial<Record<OperationType, OperationExecutor>>;

export const EXECUTORS: ExecutorRegistry = {
  'inventory.sync': inventorySync,
  'policy.sync': policySync,
  'directory_groups.sync': directoryGroupsSync,
  'backup_set.add_policies': backupSetAddPolicies,
  'backup_schedule.run_now': backupScheduleRunNow,
  'backup_schedule.retry': backupScheduleRetry,
  'drift.generate': driftGenerate,
  'restore.execute': restoreExecute,
};
