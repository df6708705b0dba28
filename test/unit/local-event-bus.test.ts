import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../infra/local/event-pattern.js';
import { LocalEventBus } from '../../infra/local/event-bus.js';
import { DETAIL_TYPES, EVENT_SOURCE, rules } from '../../shared/wiring.js';

const event = (detailType: string, detail: Record<string, unknown> = {}, source = EVENT_SOURCE) => ({ source, 'detail-type': detailType, detail });

describe('event patterns, as EventBridge evaluates them', () => {
  const notify = rules.find((r) => r.name === 'notify-initiator')!.pattern;

  it('the notify-initiator rule matches Queued and Completed, not Started or another source', () => {
    expect(matchesPattern(notify, event(DETAIL_TYPES.queued))).toBe(true);
    expect(matchesPattern(notify, event(DETAIL_TYPES.completed))).toBe(true);
    expect(matchesPattern(notify, event(DETAIL_TYPES.started))).toBe(false);
    expect(matchesPattern(notify, event(DETAIL_TYPES.queued, {}, 'someone-else'))).toBe(false);
  });

  it('matches nested detail fields, arrays in the event and content filters', () => {
    const e = event(DETAIL_TYPES.completed, { outcome: 'failed', tags: ['a', 'b'], summaryCounts: { failed: 3 }, tenantId: 'contoso' });
    expect(matchesPattern({ detail: { outcome: ['failed', 'partially_succeeded'] } }, e)).toBe(true);
    expect(matchesPattern({ detail: { outcome: ['succeeded'] } }, e)).toBe(false);
    expect(matchesPattern({ detail: { tags: ['b'] } }, e)).toBe(true);
    expect(matchesPattern({ detail: { summaryCounts: { failed: [{ numeric: ['>', 0] }] } } }, e)).toBe(true);
    expect(matchesPattern({ detail: { tenantId: [{ prefix: 'con' }] } }, e)).toBe(true);
    expect(matchesPattern({ detail: { tenantId: [{ 'anything-but': ['contoso'] }] } }, e)).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ exists: false }] } }, e)).toBe(true);
    expect(matchesPattern({ detail: { missing: ['x'] } }, e)).toBe(false);
    expect(matchesPattern({ detail: { outcome: { nested: ['x'] } } }, e)).toBe(false);
  });
});

describe('the local bus', () => {
  it('delivers EventBridge-shaped events to matching targets only, retrying a target that throws', async () => {
    const seen: unknown[] = [];
    let failuresLeft = 1;
    const bus = new LocalEventBus(
      [{
        name: 'notify',
        pattern: { source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.queued] },
        invoke: async (e) => {
          if (failuresLeft-- > 0) throw new Error('flaky target');
          seen.push(e);
        },
      }],
      { retryDelaysMs: [1, 1] },
    );
    const time = new Date('2026-11-26T15:00:00.000Z');
    const result = await bus.publish([
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.queued, detail: { runId: 'r1' }, time },
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.started, detail: { runId: 'r1' } },
    ]);
    expect(result.failedIndexes).toEqual([]);
    await bus.stop();
    expect(seen).toEqual([expect.objectContaining({ version: '0', source: EVENT_SOURCE, 'detail-type': DETAIL_TYPES.queued, time: time.toISOString(), detail: { runId: 'r1' }, account: expect.any(String), id: expect.any(String), resources: [] })]);
  });

  it('refuses entries over 256 KiB, like EventBridge', async () => {
    const bus = new LocalEventBus([]);
    const result = await bus.publish([
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.queued, detail: { big: 'x'.repeat(300 * 1024) } },
      { source: EVENT_SOURCE, detailType: DETAIL_TYPES.queued, detail: {} },
    ]);
    expect(result.failedIndexes).toEqual([0]);
  });
});
