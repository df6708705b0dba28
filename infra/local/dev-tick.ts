/** POST /dev/schedules/tick { now?: ISO } → one scheduler tick as of `now` (local only, §10). */
import * as z from 'zod';
import { apiHandler, publicRoute } from '../../shared/http/api.js';
import { runBackupTick } from '../../shared/operations/backup-tick.js';

const body = z.strictObject({ now: z.iso.datetime({ offset: true }).optional() });

export const handler = apiHandler(publicRoute({ body }), async ({ body, deps }) => {
  const now = body.now ? new Date(body.now) : deps.clock();
  const { started, skipped } = await runBackupTick({ stores: deps.stores, service: deps.service, clock: deps.clock }, now);
  return { status: 200, body: { started, skipped: skipped.map(({ scheduleId, reason }) => ({ scheduleId, reason })) } };
});
