/** Backup schedule cron expressions (§5): exactly 5 fields, evaluated in UTC, parsed by croner. */
import { Cron } from 'croner';

/** Why an expression is refused, or null when it is a valid 5-field cron that fires at some point. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  // croner also takes seconds (6 fields) and nicknames (@daily); the contract is the classic 5 fields.
  if (fields.length !== 5) return 'must have exactly 5 fields (minute hour day-of-month month day-of-week)';
  try {
    const next = new Cron(expr, { timezone: 'UTC', paused: true }).nextRun(new Date());
    return next ? null : 'never fires';
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern:\s*/, '');
  }
}

/** The first fire time strictly after `after`, as ISO (null if it never fires again). */
export function nextRunAfter(expr: string, after: Date): string | null {
  const next = new Cron(expr, { timezone: 'UTC', paused: true }).nextRun(after);
  return next ? next.toISOString() : null;
}

/**
 * The shortest gap, in minutes, between two consecutive fire times of `expr` (Infinity when it fires
 * at most once), or the first gap found below `floorMinutes` — enough to refuse it. The minute and
 * hour fields repeat every fire day, so walking fire times from a fixed start finds the gap within a
 * day on the first fire day and the gap across midnight (or a month's end) on the first pair of
 * adjacent fire days (a schedule that passes fires at most 96 times a day, so 600 fire times span
 * over 6 days); the walk is bounded (at most 600 fire times, about 400 days).
 */
export function shortestGapMinutes(expr: string, floorMinutes = 0): number {
  const cron = new Cron(expr, { timezone: 'UTC', paused: true });
  let previous = cron.nextRun(new Date(Date.UTC(2024, 0, 1)));
  if (!previous) return Infinity;
  const end = previous.getTime() + 400 * 86_400_000;
  let shortest = Infinity;
  for (let i = 0; i < 600; i++) {
    const next = cron.nextRun(previous);
    if (!next || next.getTime() > end) break;
    shortest = Math.min(shortest, (next.getTime() - previous.getTime()) / 60_000);
    if (shortest < floorMinutes) break;
    previous = next;
  }
  return shortest;
}
