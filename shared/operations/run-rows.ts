/**
 * The run rows of the types whose domain row is a plain run row (sync history, drift report, backup
 * set add): their start companion and their projection (issue 14). Keys: shared/store/keys.ts.
 */
import type { Run } from '../runs/model.js';
import { keys } from '../store/keys.js';
import { followRun, newRunRowPut, type SyncDomain } from '../store/run-rows.js';
import type { DomainRecords } from './module.js';

/** A sync type's history row: one per run, with the run's counts once it completes. */
export const syncRunRecords = (domain: SyncDomain): DomainRecords & { put: (run: Run) => ReturnType<typeof newRunRowPut> } => ({
  rows: [{ kind: 'syncRun', key: `TENANT#t / SYNCRUN#${domain}#<runId>`, retention: 'run' }],
  put: (run) => newRunRowPut(keys.syncRun(run.tenantId, domain, run.id), 'syncRun', run, { domain }),
  project: (run) => [followRun('syncRun', keys.syncRun(run.tenantId, domain, run.id), run, { counts: true })],
});

/** drift.generate's report row: the baseline it compared with and, once done, the run's counts. */
export const driftReportRecords: DomainRecords & { put: (run: Run, baselineBackupSetId: string) => ReturnType<typeof newRunRowPut> } = {
  rows: [{ kind: 'driftReport', key: 'TENANT#t / DRIFTREPORT#<runId>', retention: 'run' }],
  put: (run, baselineBackupSetId) => newRunRowPut(keys.driftReport(run.tenantId, run.id), 'driftReport', run, { baselineBackupSetId }),
  project: (run) => [followRun('driftReport', keys.driftReport(run.tenantId, run.id), run, { counts: true })],
};

const addSetId = (run: Run) => (run.input as { backupSetId: string }).backupSetId;

/** backup_set.add_policies' add row, under its set: what one run added to it. */
export const backupSetAddRecords: DomainRecords & { put: (run: Run, policyCount: number) => ReturnType<typeof newRunRowPut> } = {
  rows: [{ kind: 'backupSetAdd', key: 'TENANT#t / BACKUPSETADD#<setId>#<runId>', retention: 'run' }],
  put: (run, policyCount) => newRunRowPut(keys.backupSetAdd(run.tenantId, addSetId(run), run.id), 'backupSetAdd', run, { backupSetId: addSetId(run), policyCount }),
  project: (run) => [followRun('backupSetAdd', keys.backupSetAdd(run.tenantId, addSetId(run), run.id), run, { counts: true })],
};
