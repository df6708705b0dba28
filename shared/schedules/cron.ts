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
