/** policy.sync (§3): definition and start plan. */
import * as z from '../zod.js';
import { defineStart, idList, sortedOrAll } from './module.js';
import { syncRunRecords } from './run-rows.js';

const records = syncRunRecords('policies');

export const policySyncStart = defineStart({
  definition: {
    type: 'policy.sync',
    label: 'Policy sync',
    minimumRole: 'operator',
    schema: z.strictObject({ policyIds: z.optional(idList(1, 500)) }),
    identity: (i) => ({ policyIds: sortedOrAll(i.policyIds) }),
  },
  // Policy ids name Graph objects the run fetches (an unknown one fails as an item); no DB reference to check.
  plan: async () => ({ companions: (run) => [records.put(run)] }),
  records,
});
