/** directory_groups.sync (§3): definition and start plan. */
import * as z from '../zod.js';
import { defineStart } from './module.js';
import { syncRunRecords } from './run-rows.js';

const records = syncRunRecords('groups');

export const directoryGroupsSyncStart = defineStart({
  definition: {
    type: 'directory_groups.sync',
    label: 'Directory groups sync',
    minimumRole: 'operator',
    schema: z.strictObject({}),
    identity: () => ({}),
  },
  // The input is empty: there is no reference to check.
  plan: async () => ({ companions: (run) => [records.put(run)] }),
  records,
});
