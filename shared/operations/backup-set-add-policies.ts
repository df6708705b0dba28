/**
 * backup_set.add_policies (§3): fetch each named policy's current content from Graph and store it as
 * an item of the set; policies already in the set are skipped.
 */
import { backUpPolicies } from './backup-policies.js';
import type { ChunkResult, OperationExecutor } from './executor.js';
import { backupSetAddPoliciesStart, type AddPoliciesInput } from './backup-set-add-policies.definition.js';
import { defineModule } from './module.js';

type Input = AddPoliciesInput;
export type AddPoliciesCursor = { index: number };

const IDS_PER_CHUNK = 10;


const executor: OperationExecutor<AddPoliciesCursor, 'backup_set.add_policies'> = {
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

/** The backup_set.add_policies module: definition and start plan (backup-set-add-policies.definition.ts) and executor. */
export const backupSetAddPolicies = defineModule(backupSetAddPoliciesStart, executor);
