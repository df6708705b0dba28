/** Seed (§10): contoso's "Nightly" backup schedule (02:00 UTC, all categories, keepLast 7). Idempotent. */
import { newSchedule } from '../../shared/schedules/schedule.js';
import { ScheduleStore } from '../../shared/store/schedule-store.js';
import type { SeedHook } from './seed.js';

export const NIGHTLY = { tenantId: 'contoso', id: '01J0000000000000000000SEED', name: 'Nightly', cron: '0 2 * * *', keepLast: 7 } as const;

export const seedBackupSchedules: SeedHook = async ({ doc, table }) => {
  const now = new Date();
  // A fixed id and a create-if-absent write: a restart neither duplicates it nor undoes an admin's edits.
  await new ScheduleStore(doc, table).create(newSchedule({ ...NIGHTLY, categories: null, enabled: true }, now));
};
