/**
 * The chaos suite's domain-row invariant (test/chaos/support/domain-rows.ts) can fail: it finds every
 * type's rows from the module declarations alone, and flags a row finished apart from its run.
 */
import { describe, expect, it } from 'vitest';
import { DOMAIN_ROWS, OPERATION_TYPES } from '../../shared/operations/catalog.js';
import { sampleRun } from '../support/sample-run.js';
import { domainRowsOf, rowVerdict } from '../chaos/support/domain-rows.js';

const run = sampleRun;

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
