/** POST /dev/login { userId } → { token, user } (local only, §10). */
import * as z from '../../shared/zod.js';
import { apiHandler, publicRoute } from '../../shared/http/api.js';
import { settings } from '../../shared/settings.js';
import { problems } from '../../shared/http/problem.js';
import { signLocalToken } from './jwt.js';

export const handler = apiHandler(publicRoute({ body: z.strictObject({ userId: z.string().check(z.minLength(1), z.maxLength(200)) }) }), async ({ body, deps }) => {
  // Only where the local runtime says so, at run time (never set in AWS): elsewhere this route does not exist.
  if (!settings().localRuntime) throw problems.notFound('The route');
  const user = await deps.directory.getUser(body.userId);
  if (!user) throw problems.notFound('The user');
  return { status: 200, body: { token: await signLocalToken(user), user } };
});
