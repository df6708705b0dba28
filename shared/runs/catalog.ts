/**
 * The operation catalog (SPEC §3): the eight operation types, their labels, minimum roles, strict
 * input schemas and the identity fields that form the active run key.
 */
import * as z from 'zod';
import type { Role } from './model.js';

export const CATEGORIES = [
  'deviceConfigurations',
  'deviceCompliancePolicies',
  'configurationPolicies',
  'groupPolicyConfigurations',
  'managedAppPolicies',
  'deviceEnrollmentConfigurations',
] as const;
export type Category = (typeof CATEGORIES)[number];

const id = z.string().min(1).max(200).regex(/^[A-Za-z0-9._:@-]+$/, 'must be an id (letters, digits, . _ : @ -)');
const category = z.enum(CATEGORIES);
const idList = (min: number, max: number) => z.array(id).min(min).max(max);

export const inputSchemas = {
  'inventory.sync': z.strictObject({ categories: z.array(category).min(1).max(CATEGORIES.length).optional() }),
  'policy.sync': z.strictObject({ policyIds: idList(1, 500).optional() }),
  'directory_groups.sync': z.strictObject({}),
  'drift.generate': z.strictObject({ baselineBackupSetId: id.optional() }),
  'backup_set.add_policies': z.strictObject({ backupSetId: id, policyIds: idList(1, 500) }),
  'backup_schedule.run_now': z.strictObject({ scheduleId: id }),
  'backup_schedule.retry': z.strictObject({ scheduleId: id, runId: id }),
  'restore.execute': z.strictObject({
    backupSetId: id,
    itemIds: idList(1, 500).optional(),
    groupMapping: z
      .record(id, id)
      .refine((m) => Object.keys(m).length <= 500, 'at most 500 mapped groups')
      .optional(),
    dryRun: z.boolean().optional(),
  }),
} as const;

export type OperationType = keyof typeof inputSchemas;
export const OPERATION_TYPES = Object.keys(inputSchemas) as OperationType[];
export type OperationInput<T extends OperationType> = z.infer<(typeof inputSchemas)[T]>;

export interface OperationDefinition {
  type: OperationType;
  label: string;
  minimumRole: Role;
  schema: z.ZodType;
  /** The identity of an input: the part of it that makes a run distinct (the active run key). */
  identity: (input: any) => unknown;
}

const sorted = (xs?: string[]) => (xs ? [...new Set(xs)].sort() : 'all');

export const CATALOG: Record<OperationType, OperationDefinition> = {
  'inventory.sync': {
    type: 'inventory.sync', label: 'Inventory sync', minimumRole: 'operator', schema: inputSchemas['inventory.sync'],
    identity: (i) => ({ categories: sorted(i.categories) }),
  },
  'policy.sync': {
    type: 'policy.sync', label: 'Policy sync', minimumRole: 'operator', schema: inputSchemas['policy.sync'],
    identity: (i) => ({ policyIds: sorted(i.policyIds) }),
  },
  'directory_groups.sync': {
    type: 'directory_groups.sync', label: 'Directory groups sync', minimumRole: 'operator', schema: inputSchemas['directory_groups.sync'],
    identity: () => ({}),
  },
  'drift.generate': {
    type: 'drift.generate', label: 'Drift generation', minimumRole: 'operator', schema: inputSchemas['drift.generate'],
    identity: (i) => ({ baseline: i.baselineBackupSetId ?? 'latest' }),
  },
  'backup_set.add_policies': {
    type: 'backup_set.add_policies', label: 'Add policies to backup set', minimumRole: 'operator', schema: inputSchemas['backup_set.add_policies'],
    identity: (i) => ({ backupSetId: i.backupSetId, policyIds: sorted(i.policyIds) }),
  },
  'backup_schedule.run_now': {
    type: 'backup_schedule.run_now', label: 'Backup schedule run', minimumRole: 'operator', schema: inputSchemas['backup_schedule.run_now'],
    identity: (i) => ({ scheduleId: i.scheduleId }),
  },
  'backup_schedule.retry': {
    type: 'backup_schedule.retry', label: 'Backup schedule retry', minimumRole: 'operator', schema: inputSchemas['backup_schedule.retry'],
    identity: (i) => ({ scheduleId: i.scheduleId }),
  },
  'restore.execute': {
    type: 'restore.execute', label: 'Restore', minimumRole: 'manager', schema: inputSchemas['restore.execute'],
    identity: () => ({}),
  },
};

export const isOperationType = (t: unknown): t is OperationType =>
  typeof t === 'string' && Object.prototype.hasOwnProperty.call(CATALOG, t);

/** JSON Schema of each type's input (for GET /operation-types and the console's start forms). */
export function operationTypeList() {
  return OPERATION_TYPES.map((type) => {
    const def = CATALOG[type];
    return { type, label: def.label, minimumRole: def.minimumRole, inputSchema: z.toJSONSchema(def.schema) };
  });
}
