/** inventory.sync (§3): definition and start plan. */
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import { categoryField, defineStart, sortedOrAll } from './module.js';
import { syncRunRecords } from './run-rows.js';

const records = syncRunRecords('inventory');

export const inventorySyncStart = defineStart({
  definition: {
    type: 'inventory.sync',
    label: 'Inventory sync',
    minimumRole: 'operator',
    schema: z.strictObject({ categories: z.optional(z.array(categoryField).check(z.minLength(1), z.maxLength(CATEGORIES.length))) }),
    // Every category named is the default (§3: "default: all"): the same work, so the same active run key.
    identity: (i) => ({ categories: i.categories && CATEGORIES.every((c) => i.categories!.includes(c)) ? 'all' : sortedOrAll(i.categories) }),
  },
  // Categories are a closed enum the schema already checks; nothing in the tenant to look up.
  plan: async () => ({ companions: (run) => [records.put(run)] }),
  records,
});
