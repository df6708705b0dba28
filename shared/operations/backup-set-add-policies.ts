/**
 * backup_set.add_policies (§3): fetch each named policy's current content from Graph and store it as
 * an item of the set; policies already in the set are skipped. Start check: the set must exist (422).
 */
import type { OperationInput } from '../runs/catalog.js';
import { PreconditionFailedError } from '../runs/errors.js';

import { backUpPolicies } from './backup-policies.js';
import type { ChunkResult, OperationExecutor } from './executor.js';
import { registerStartCheck } from './start-checks.js';

type Input = OperationInput<'backup_set.add_policies'>;
export type AddPoliciesCursor = { index: number };

const IDS_PER_CHUNK = 10;

registerStartCheck('backup_set.add_policies', async (tenantId, input: Input, deps) => {
  const set = await deps.stores.backups.getSet(tenantId, input.backupSetId);
  if (!set) throw unknownSet(input.backupSetId);
  return { context: { backupSetId: set.id } };
});

export const unknownSet = (id: string, path = 'input.backupSetId') =>
  new PreconditionFailedError(`The backup set ${id} does not exist in this tenant.`, [{ path, message: 'unknown backup set' }]);

export const backupSetAddPolicies: OperationExecutor<AddPoliciesCursor> = {
  type: 'backup_set.add_policies',
  countNames: ['created'],
  initialCursor: () => ({ index: 0 }),

  async processChunk(ctx, cursor): Promise<ChunkResult<AddPoliciesCursor>> {
    const input = ctx.run.input as Input;
    const ids = [...new Set(input.policyIds)];
    const slice = ids.slice(cursor.index, cursor.index + IDS_PER_CHUNK);
    const { counts, failures } = await backUpPolicies(ctx, await ctx.graph(), input.backupSetId, slice.map((id) => ({ id, category: null })));
    const next = cursor.index + slice.length;
    return { cursor: { index: next }, done: next >= ids.length, counts, failures };
  },
};
