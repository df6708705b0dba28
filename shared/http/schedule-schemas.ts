/**
 * The bodies of creating and changing a backup schedule (§5) and their two routes: the cron
 * expression is validated with croner (shared/schedules/cron.ts), so these live apart from
 * ./backup-schemas.ts and only these two functions (and the tick) bundle croner (issue 18).
 */
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import { cronProblem, shortestGapMinutes } from '../schedules/cron.js';
import { settings } from '../settings.js';
import { defineRoute, tenantRoute } from './api.js';
import { name, problem, scheduleSchema } from './backup-schemas.js';

const cron = z.string().check(z.trim(), z.minLength(1), z.maxLength(100), z.superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) return void ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${problem}` });
  // Issue 16: a schedule may fire at most every SCHEDULE_MIN_INTERVAL_MINUTES (default 15).
  const floor = settings().quotas.scheduleMinIntervalMinutes;
  const gap = shortestGapMinutes(expr, floor);
  if (gap < floor) {
    ctx.addIssue({ code: 'custom', message: `the schedule must fire at least ${floor} minutes apart; this cron fires ${gap} minute${gap === 1 ? '' : 's'} apart` });
  }
}));
const categories = z.pipe(z.array(z.enum(CATEGORIES)).check(z.minLength(1), z.maxLength(CATEGORIES.length)), z.transform((cs) => [...new Set(cs)]));
const keepLast = z.number().check(z.int(), z.minimum(1), z.maximum(365));

export const createScheduleBody = z.strictObject({
  name,
  cron,
  categories: z.optional(categories),
  keepLast: z._default(keepLast, 7),
  enabled: z._default(z.boolean(), true),
});
export type CreateScheduleBody = z.infer<typeof createScheduleBody>;

export const updateScheduleBody = z
  .strictObject({ name: z.optional(name), cron: z.optional(cron), categories: z.optional(z.nullable(categories)), keepLast: z.optional(keepLast), enabled: z.optional(z.boolean()) })
  .check(z.refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one field to change' }));
export type UpdateScheduleBody = z.infer<typeof updateScheduleBody>;

export const createScheduleRoute = defineRoute('POST /tenants/{tenantId}/backup-schedules', tenantRoute('manager', { body: createScheduleBody }), {
  summary: 'Create a backup schedule (manager)',
  responses: { 201: { description: 'created; Location names it', schema: scheduleSchema }, 400: problem('invalid body or cron expression, a cron that fires more often than every SCHEDULE_MIN_INTERVAL_MINUTES (15), or the tenant already has MAX_SCHEDULES_PER_TENANT (20) schedules') },
});
export const updateScheduleRoute = defineRoute('PATCH /tenants/{tenantId}/backup-schedules/{scheduleId}', tenantRoute('manager', { body: updateScheduleBody }), {
  summary: 'Change a backup schedule (manager)',
  responses: { 200: { description: 'ok', schema: scheduleSchema }, 400: problem('invalid body or cron expression, or a cron that fires more often than every SCHEDULE_MIN_INTERVAL_MINUTES (15)'), 404: problem('unknown schedule'), 409: problem('the schedule kept changing; try again') },
});
