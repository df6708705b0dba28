/**
 * drift.generate (§3): definition and start plan — the named baseline must exist; without one, the
 * newest complete backup set with items is the baseline (none → 422). The run's context records
 * `baselineBackupSetId`.
 */
import * as z from '../zod.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import { unknownSet } from './backup-set-add-policies.definition.js';
import { defineStart, knownId, recordIdField } from './module.js';
import { driftReportRecords } from './run-rows.js';
import { backupSetExists } from '../store/reference-checks.js';
import type { StartCompanion } from '../runs/ports.js';

const withReport = (baselineBackupSetId: string, check?: StartCompanion) => ({
  context: { baselineBackupSetId },
  companions: (run: Run) => [...(check ? [check] : []), driftReportRecords.put(run, baselineBackupSetId)],
});

export const driftGenerateStart = defineStart({
  definition: {
    type: 'drift.generate',
    label: 'Drift generation',
    minimumRole: 'operator',
    schema: z.strictObject({ baselineBackupSetId: z.optional(recordIdField) }),
    identity: (i) => ({ baseline: i.baselineBackupSetId ?? 'latest' }),
  },
  plan: async (tenantId, input, deps) => {
    const sets = deps.stores.backups;
    const named = input.baselineBackupSetId;
    // A named baseline is checked by the start transaction itself (no read first): unknown → 422.
    if (named) return withReport(knownId(named, (id) => unknownSet(id, 'input.baselineBackupSetId')), backupSetExists(tenantId, named, () => unknownSet(named, 'input.baselineBackupSetId')));
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
