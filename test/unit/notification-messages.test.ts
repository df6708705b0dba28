import { describe, expect, it } from 'vitest';
import { composeNotification, notificationTitle, type NotifiedRun } from '../../shared/notifications/model.js';
import { emptyCounts } from '../../shared/runs/model.js';

const run = (over: Partial<NotifiedRun> = {}): NotifiedRun => ({
  tenantId: 'contoso', runId: '01JH7Z9W3K8Q4V2N6B5C1D0EFG', label: 'Inventory sync', outcome: 'pending',
  summaryCounts: emptyCounts(), failureCount: 0, viewUrl: '/console/tenants/contoso/runs/01JH7Z9W3K8Q4V2N6B5C1D0EFG', ...over,
});
const counts = (total: number, succeeded: number, failed: number) => ({ ...emptyCounts(), total, processed: total, succeeded, failed });

describe('notification titles name the operation and the outcome in words', () => {
  it.each([
    ['run.queued', run(), 'Inventory sync queued'],
    ['run.completed', run({ outcome: 'succeeded', summaryCounts: counts(42, 42, 0) }), 'Inventory sync succeeded'],
    ['run.completed', run({ outcome: 'partially_succeeded', summaryCounts: counts(42, 40, 2), failureCount: 2 }), 'Inventory sync partially succeeded — 2 of 42 items failed'],
    ['run.completed', run({ outcome: 'failed', summaryCounts: counts(1, 0, 1), failureCount: 1 }), 'Inventory sync failed — 1 of 1 item failed'],
    ['run.completed', run({ outcome: 'failed', failureCount: 1 }), 'Inventory sync failed'],
    ['run.completed', run({ outcome: 'cancelled' }), 'Inventory sync was cancelled'],
  ] as const)('%s, %j → %s', (kind, r, title) => {
    expect(notificationTitle(kind, r)).toBe(title);
  });

  it('a completed notification carries the outcome; a queued one does not', () => {
    const done = composeNotification('run.completed', run({ outcome: 'cancelled' }), 'N1', '2026-11-26T15:00:00.000Z');
    expect(done).toMatchObject({ kind: 'run.completed', outcome: 'cancelled', readAt: null, viewUrl: run().viewUrl });
    expect(composeNotification('run.queued', run(), 'N2', '2026-11-26T15:00:00.000Z')).not.toHaveProperty('outcome');
  });
});
