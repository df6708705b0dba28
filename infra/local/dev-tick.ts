/** POST /dev/schedules/tick { now?: ISO } → one scheduler tick as of `now` (local only, §10). */
import * as z from '../../shared/zod.js';
import { apiHandler, publicRoute } from '../../shared/http/api.js';
import { settings } from '../../shared/settings.js';
import { problems } from '../../shared/http/problem.js';
import { runBackupTick } from '../../shared/operations/backup-tick.js';
import { planStores } from '../../shared/store/stores.js';
import { runService } from '../../shared/http/deps.js';

const body = z.strictObject({ now: z.optional(z.iso.datetime({ offset: true })) });

export const handler = apiHandler(publicRoute({ body }), async ({ body, deps }) => {
  // Only where the local runtime says so, at run time (never set in AWS): elsewhere this route does not exist.
  if (!settings().localRuntime) throw problems.notFound('The route');
  const now = body.now ? new Date(body.now) : deps.clock();
  const { started, skipped } = await runBackupTick({ stores: planStores(deps.stores), service: runService(deps), clock: deps.clock }, now);
  return { status: 200, body: { started, skipped: skipped.map(({ scheduleId, reason }) => ({ scheduleId, reason })) } };
});
