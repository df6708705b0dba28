/**
 * The executor registry: which executor does each operation type's work. A new type adds one line.
 */
import type { OperationType } from '../runs/catalog.js';
import { directoryGroupsSync } from './directory-groups-sync.js';
import type { OperationExecutor } from './executor.js';
import { inventorySync } from './inventory-sync.js';
import { policySync } from './policy-sync.js';

export type ExecutorRegistry = Partial<Record<OperationType, OperationExecutor>>;

export const EXECUTORS: ExecutorRegistry = {
  'inventory.sync': inventorySync,
  'policy.sync': policySync,
  'directory_groups.sync': directoryGroupsSync,
};
