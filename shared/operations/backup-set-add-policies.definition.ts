/** backup_set.add_policies (§3): definition and start plan — the set must exist (422). */
import { z } from 'zod';
import { PreconditionFailedError } from '../runs/errors.js';
import { defineStart, idList, ulidField, sortedOrAll } from './module.js';

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
    return { context: { backupSetId: set.id } };
  },
});
