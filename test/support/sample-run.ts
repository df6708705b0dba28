/** A run of any type, with the context fields every type's domain records read (unit tests of projections). */
import type { OperationType } from '../../shared/operations/catalog.js';
import type { Run } from '../../shared/runs/model.js';

export function sampleRun(type: OperationType, status: Run['status'], outcome: Run['outcome'] = 'pending'): Run {
  return {
    id: '01JABCDEFGHJKMNPQRSTVWXYZ0', tenantId: 'contoso', type, label: type, status, outcome,
    input: { backupSetId: 'set-1', scheduleId: 'sch-1', policyIds: ['p'] }, identityHash: 'h', initiator: { userId: 'alice', name: 'Alice' }, surface: 'api',
    summaryCounts: { total: 3, processed: 3, succeeded: 2, failed: 1, skipped: 0 }, failures: [], failureCount: 1,
    context: { restoreId: 'rst-1', scheduleId: 'sch-1', backupSetId: 'set-1', baselineBackupSetId: 'set-0', retryOfRunId: 'r0' },
    attempt: 1, cancelRequested: false, createdAt: '2026-01-01T00:00:00.000Z', startedAt: status === 'queued' ? null : '2026-01-01T00:00:01.000Z',
    completedAt: status === 'completed' ? '2026-01-01T00:00:09.000Z' : null, durationMs: null, queueWaitMs: null,
    expiresAt: '2026-04-01T00:00:00.000Z', leaseExpiresAt: null, checkpoint: null, version: 3,
  };
}
