/**
 * The chaos suite's domain-row invariant (test/chaos/support/domain-rows.ts) can fail: it finds every
 * type's rows from the module declarations alone, and flags a row finished apart from its run.
 */
import { describe, expect, it } from 'vitest';
import { DOMAIN_ROWS, OPERATION_TYPES, type OperationType } from '../../shared/operations/catalog.js';
import type { Run } from '../../shared/runs/model.js';
import { domainRowsOf, rowVerdict } from '../chaos/support/domain-rows.js';

function run(type: OperationType, status: Run['status'], outcome: Run['outcome'] = 'pending'): Run {
  return {
    id: '01JABCDEFGHJKMNPQRSTVWXYZ0', tenantId: 'contoso', type, label: type, status, outcome,
    input: { backupSetId: 'set-1', scheduleId: 'sch-1', policyIds: ['p'] }, identityHash: 'h', initiator: { userId: 'alice', name: 'Alice' }, surface: 'api',
    summaryCounts: { total: 0, processed: 0, succeeded: 0, failed: 0, skipped: 0 }, failures: [], failureCount: 0,
    context: { restoreId: 'rst-1', scheduleId: 'sch-1', backupSetId: 'set-1', baselineBackupSetId: 'set-0', retryOfRunId: 'r0' },
    attempt: 1, cancelRequested: false, createdAt: '2026-01-01T00:00:00.000Z', startedAt: null,
    completedAt: status === 'completed' ? '2026-01-01T00:00:09.000Z' : null, durationMs: null, queueWaitMs: null,
    expiresAt: '2026-04-01T00:00:00.000Z', leaseExpiresAt: null, checkpoint: null, version: 1,
  };
}

describe('the chaos domain-row invariant', () => {
  it.each(OPERATION_TYPES)('%s: every declared row is found from the module, even for a queued run', (type) => {
    const violations: string[] = [];
    const rows = domainRowsOf(run(type, 'queued'), violations);
    expect(violations).toEqual([]);
    expect(rows.map((r) => r.kind).sort()).toEqual(DOMAIN_ROWS[type].map((d) => d.kind).sort());
    for (const r of rows) expect(r.key.pk).toBe('TENANT#contoso');
  });

  it('flags a row unfinished while its run is completed, and finished while its run is active', () => {
    const done = run('restore.execute', 'completed', 'cancelled');
    expect(rowVerdict(done, 'restore', { status: 'running', completedAt: null }, 'run')).toMatch(/unfinished .* while its run is completed/);
    expect(rowVerdict(done, 'restore', { status: 'cancelled', completedAt: null }, 'run')).toMatch(/unfinished/);
    expect(rowVerdict(done, 'restore', { status: 'cancelled', completedAt: done.completedAt }, 'run')).toBeNull();
    const active = run('backup_schedule.run_now', 'running');
    expect(rowVerdict(active, 'backupSet', { status: 'failed', completedAt: '2026-01-01T00:00:05.000Z' }, 'subject')).toMatch(/finished .* while its run is running/);
    expect(rowVerdict(active, 'backupSet', { status: 'in_progress', completedAt: null }, 'subject')).toBeNull();
    expect(rowVerdict(active, 'scheduleRun', { status: 'queued', completedAt: '2026-01-01T00:00:05.000Z' }, 'run')).toMatch(/finished/);
  });

  it('a missing row is a violation only when it lives as long as its run', () => {
    const active = run('backup_schedule.run_now', 'running');
    expect(rowVerdict(active, 'scheduleRun', undefined, 'run')).toMatch(/missing/);
    expect(rowVerdict(active, 'backupSet', undefined, 'subject')).toBeNull();
  });
});
