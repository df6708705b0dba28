/**
 * POST /dev/login { userId, email?, name? } → { token, user } (local only, §10).
 *
 * A known user gets a token for their profile. An unknown user id is 404 — unless an `email` is given:
 * then the token is for a NEW user id carrying that `email` claim (issue 19), so an invited person can
 * sign in locally; their first GET /me turns the invitation into a membership and creates the profile.
 */
import * as z from '../../shared/zod.js';
import { apiHandler, publicRoute } from '../../shared/http/api.js';
import { settings } from '../../shared/settings.js';
import { problems } from '../../shared/http/problem.js';
import { signLocalToken } from './jwt.js';

const body = z.strictObject({
  userId: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\s#]+$/, 'not a user id')),
  email: z.optional(z.pipe(z.string().check(z.trim(), z.maxLength(254)), z.email())),
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
});

export const handler = apiHandler(publicRoute({ body }), async ({ body, deps }) => {
  // Only where the local runtime says so, at run time (never set in AWS): elsewhere this route does not exist.
  if (!settings().localRuntime) throw problems.notFound('The route');
  const known = await deps.directory.getUser(body.userId);
  if (!known && !body.email) throw problems.notFound('The user');
  const user = known ?? { id: body.userId, name: body.name ?? body.userId };
  const token = await signLocalToken({ ...user, ...(body.email ? { email: body.email } : {}) });
  return { status: 200, body: { token, user: body.email ? { ...user, email: body.email.toLowerCase() } : user } };
});
