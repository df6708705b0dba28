import { apiHandler } from '../../shared/http/api.js';
import { listNotificationsRoute } from '../../shared/http/notification-schemas.js';

// Notifications live in the caller's own partition: a caller only ever sees their own.
export const handler = apiHandler(listNotificationsRoute, async ({ user, query, deps }) => {
  const store = deps.stores.notifications;
  const page = await store.listForUser(user.id, { tenantId: query.tenantId, unreadOnly: query.unread === true }, query.limit, query.cursor);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
});
