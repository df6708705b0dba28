/** backup_set.add_policies (§3): definition and start plan — the set must exist (422, checked in the start transaction). */
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import { defineStart, idList, knownId, recordIdField, sortedOrAll } from './module.js';
import { backupSetAddRecords } from './run-rows.js';
import { backupSetExists } from '../store/reference-checks.js';

export const unknownSet = (id: string, path = 'input.backupSetId') =>
  new PreconditionFailedError(`The backup set ${id} does not exist in this tenant.`, [{ path, message: 'unknown backup set' }]);

const schema = z.strictObject({ backupSetId: recordIdField, policyIds: idList(1, 500) });
export type AddPoliciesInput = z.infer<typeof schema>;

export const backupSetAddPoliciesStart = defineStart({
  definition: {
    type: 'backup_set.add_policies',
    label: 'Add policies to backup set',
    minimumRole: 'operator',
    schema,
    identity: (i) => ({ backupSetId: i.backupSetId, policyIds: sortedOrAll(i.policyIds) }),
  },
  plan: async (tenantId, input) => {
    knownId(input.backupSetId, unknownSet);
    // The set's existence is checked by the start transaction itself (no read first): unknown → 422.
    // expectedTotal: the total known at start (the console shows progress against it, issue 17)
    const expectedTotal = new Set(input.policyIds).size;
    return {
      context: { backupSetId: input.backupSetId, expectedTotal },
      companions: (run) => [backupSetExists(tenantId, input.backupSetId, () => unknownSet(input.backupSetId)), backupSetAddRecords.put(run, expectedTotal)],
    };
  },
  records: backupSetAddRecords,
});
