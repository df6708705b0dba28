/** The schedules module's nextRunAt rules (pure): create, edit, switch off and on. */
import { describe, expect, it } from 'vitest';
import { editSchedule, newSchedule } from '../../shared/schedules/schedule.js';

const now = new Date('2026-03-10T10:15:00.000Z');
const later = new Date('2026-03-10T11:20:00.000Z');
const base = { id: 's1', tenantId: 'contoso', name: 'Nightly', cron: '0 2 * * *', categories: null, keepLast: 7 };

describe('schedule rules', () => {
  it('a new enabled schedule is due at its first fire time after now; a disabled one is not due', () => {
    expect(newSchedule({ ...base, enabled: true }, now)).toMatchObject({ nextRunAt: '2026-03-11T02:00:00.000Z', version: 1, createdAt: now.toISOString() });
    expect(newSchedule({ ...base, enabled: false }, now).nextRunAt).toBeNull();
  });

  it('an edit that keeps the cron keeps the due time; a new cron re-times from now', () => {
    const s = newSchedule({ ...base, enabled: true }, now);
    expect(editSchedule(s, { name: 'Renamed' }, later)).toMatchObject({ name: 'Renamed', nextRunAt: '2026-03-11T02:00:00.000Z', updatedAt: later.toISOString() });
    expect(editSchedule(s, { cron: '30 * * * *' }, later).nextRunAt).toBe('2026-03-10T11:30:00.000Z');
  });

  it('switching off clears the due time; switching back on re-times from now', () => {
    const off = editSchedule(newSchedule({ ...base, cron: '*/5 * * * *', enabled: true }, now), { enabled: false }, now);
    expect(off.nextRunAt).toBeNull();
    expect(editSchedule(off, { enabled: true }, later).nextRunAt).toBe('2026-03-10T11:25:00.000Z');
  });
});
