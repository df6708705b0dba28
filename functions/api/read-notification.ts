import { apiHandler } from '../../shared/http/api.js';
import { readNotificationRoute } from '../../shared/http/notification-schemas.js';
import { problems } from '../../shared/http/problem.js';
import { notificationStore } from '../../shared/store/stores.js';

export const handler = apiHandler(readNotificationRoute, async ({ user, params, deps }) => {
  const store = notificationStore(deps.stores);
  // Someone else's notification is not in the caller's partition, and one of a tenant the caller is
  // no longer a member of is hidden (as in the list): both answer 404 like an unknown one.
  const memberOf = (await deps.directory.listMemberships(user.id)).map((m) => m.tenantId);
  if (!(await store.markRead(user.id, params.notificationId, memberOf))) throw problems.notFound('The notification');
  return { status: 204 };
});
