/**
 * restore.execute (§3): definition and start plan, DB only — never Graph (422 naming what is
 * missing): the backup set exists, every `itemIds` entry is an item of it, and every `groupMapping`
 * target is a live group in the directory-group cache. The restore's summary record is written in the
 * same transaction as the run (its item rows come from the worker); `context.restoreId` points to it.
 */
import { ulid } from 'ulid';
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { zeroRestoreCounts } from '../store/restore-store.js';
import { unknownSet } from './backup-set-add-policies.definition.js';
import { defineStart, graphIdField, idList, knownId, recordIdField, type DomainRecords } from './module.js';
import { keys } from '../store/keys.js';
import { followRun } from '../store/run-rows.js';
import { epochSeconds } from '../store/conditions.js';

/** The restore record follows its run: running when claimed; the run's outcome and completedAt when it completes, by any path. */
const records: DomainRecords = {
  rows: [{ kind: 'restore', key: 'TENANT#t / RESTORE#<restoreId>', retention: 'run' }],
  project: (run) => [followRun('restore', keys.restore(run.tenantId, (run.context as { restoreId: string }).restoreId), run)],
};

const schema = z.strictObject({
  backupSetId: recordIdField,
  itemIds: z.optional(idList(1, 500)),
  groupMapping: z.optional(z
    .record(graphIdField, graphIdField)
    .check(z.refine((m) => Object.keys(m).length <= 500, 'at most 500 mapped groups'))),
  dryRun: z.optional(z.boolean()),
});
export type RestoreInput = z.infer<typeof schema>;

export const restoreExecuteStart = defineStart({
  definition: {
    type: 'restore.execute',
    label: 'Restore',
    minimumRole: 'manager',
    schema,
    identity: () => ({}),
  },
  plan: async (tenantId, input, deps) => {
    const sets = deps.stores.backups;
    const set = await sets.getSet(tenantId, knownId(input.backupSetId, (id) => unknownSet(id)));
    if (!set) throw unknownSet(input.backupSetId);
    // A full restore reads no item here (a set may hold thousands): the worker walks the set's items.
    const selection = input.itemIds ? [...new Set(input.itemIds)].sort() : null;
    const found = selection ? await sets.hasItems(tenantId, set.id, selection) : null;
    const missingItems = selection ? selection.filter((id) => !found!.has(id)) : [];
    if (missingItems.length) {
      throw new PreconditionFailedError(`These items are not in backup set ${set.id}: ${missingItems.join(', ')}.`, missingItems.map((id) => ({ path: 'input.itemIds', message: `unknown item ${id}` })));
    }
    const total = selection ? selection.length : set.itemCount;
    if (total === 0) throw new PreconditionFailedError(`The backup set ${set.id} has no items to restore.`, [{ path: 'input.backupSetId', message: 'empty backup set' }]);
    const targets = [...new Set(Object.values(input.groupMapping ?? {}))];
    const known = targets.length ? await deps.stores.groups.getMany(tenantId, targets) : new Map();
    const unknownGroups = targets.filter((id) => !known.has(id));
    if (unknownGroups.length) {
      throw new PreconditionFailedError(
        `These groupMapping targets are not in the directory-group cache: ${unknownGroups.join(', ')}. Run a directory groups sync if they are new.`,
        unknownGroups.map((id) => ({ path: 'input.groupMapping', message: `unknown group ${id}` })),
      );
    }
    const restoreId = ulid(deps.clock().getTime());
    const restores = deps.stores.restores;
    return {
      // expectedTotal: the items to restore, known at start (the console's progress is against it)
      context: { restoreId, backupSetId: set.id, expectedTotal: total },
      companions: (run: Run) => [restores.newRestorePut({
        id: restoreId, tenantId, runId: run.id, backupSetId: set.id, dryRun: input.dryRun === true, groupMapping: input.groupMapping ?? {},
        status: 'queued', selection, total, counts: zeroRestoreCounts(),
        createdAt: run.createdAt, completedAt: null, initiator: run.initiator, expiresAt: epochSeconds(run.expiresAt),
      })],
    };
  },
  records,
});
