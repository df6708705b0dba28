import { apiHandler } from '../../shared/http/api.js';
import { emptyQuery } from '../../shared/http/schemas.js';
import { problems } from '../../shared/http/problem.js';


export const handler = apiHandler({ query: emptyQuery }, async ({ user, params, deps }) => {
  const store = deps.stores.notifications;
  // Someone else's notification is not in the caller's partition: it answers 404 like an unknown one.
  if (!(await store.markRead(user.id, params.notificationId))) throw problems.notFound('The notification');
  return { status: 204 };
});
