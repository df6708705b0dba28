/**
 * drift.generate (§3): definition and start plan — the named baseline must exist; without one, the
 * newest complete backup set with items is the baseline (none → 422). The run's context records
 * `baselineBackupSetId`.
 */
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { unknownSet } from './backup-set-add-policies.definition.js';
import { defineStart, ulidField } from './module.js';
import { driftReportRecords } from './run-rows.js';

const withReport = (baselineBackupSetId: string) => ({
  context: { baselineBackupSetId },
  companions: (run: Run) => [driftReportRecords.put(run, baselineBackupSetId)],
});

export const driftGenerateStart = defineStart({
  definition: {
    type: 'drift.generate',
    label: 'Drift generation',
    minimumRole: 'operator',
    schema: z.strictObject({ baselineBackupSetId: z.optional(ulidField) }),
    identity: (i) => ({ baseline: i.baselineBackupSetId ?? 'latest' }),
  },
  plan: async (tenantId, input, deps) => {
    const sets = deps.stores.backups;
    if (input.baselineBackupSetId) {
      const set = await sets.getSet(tenantId, input.baselineBackupSetId);
      if (!set) throw unknownSet(input.baselineBackupSetId, 'input.baselineBackupSetId');
      return withReport(set.id);
    }
    const newest = await sets.newestCompleteSet(tenantId);
    if (!newest) {
      throw new PreconditionFailedError('There is no complete backup set to compare with; create a backup first or name a baseline.', [
        { path: 'input.baselineBackupSetId', message: 'no complete backup set exists' },
      ]);
    }
    return withReport(newest.id);
  },
  records: driftReportRecords,
});
