/** backup_set.add_policies (§3): definition and start plan — the set must exist (422). */
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import { defineStart, idList, ulidField, sortedOrAll } from './module.js';
import { backupSetAddRecords } from './run-rows.js';

export const unknownSet = (id: string, path = 'input.backupSetId') =>
  new PreconditionFailedError(`The backup set ${id} does not exist in this tenant.`, [{ path, message: 'unknown backup set' }]);

const schema = z.strictObject({ backupSetId: ulidField, policyIds: idList(1, 500) });
export type AddPoliciesInput = z.infer<typeof schema>;

export const backupSetAddPoliciesStart = defineStart({
  definition: {
    type: 'backup_set.add_policies',
    label: 'Add policies to backup set',
    minimumRole: 'operator',
    schema,
    identity: (i) => ({ backupSetId: i.backupSetId, policyIds: sortedOrAll(i.policyIds) }),
  },
  plan: async (tenantId, input, deps) => {
    const set = await deps.stores.backups.getSet(tenantId, input.backupSetId);
    if (!set) throw unknownSet(input.backupSetId);
    // expectedTotal: the total known at start (the console shows progress against it, issue 17)
    const expectedTotal = new Set(input.policyIds).size;
    return { context: { backupSetId: set.id, expectedTotal }, companions: (run) => [backupSetAddRecords.put(run, expectedTotal)] };
  },
  records: backupSetAddRecords,
});
