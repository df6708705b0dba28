import { apiHandler } from '../../shared/http/api.js';
import { readNotificationRoute } from '../../shared/http/notification-schemas.js';
import { problems } from '../../shared/http/problem.js';

export const handler = apiHandler(readNotificationRoute, async ({ user, params, deps }) => {
  const store = deps.stores.notifications;
  // Someone else's notification is not in the caller's partition: it answers 404 like an unknown one.
  if (!(await store.markRead(user.id, params.notificationId))) throw problems.notFound('The notification');
  return { status: 204 };
});
