import { apiHandler } from '../../shared/http/api.js';
import { listNotificationsRoute } from '../../shared/http/notification-schemas.js';
import { notificationStore } from '../../shared/store/stores.js';

// Notifications live in the caller's own partition: a caller only ever sees their own — and only
// those of tenants they are a member of NOW (issue 15, item 5): removal from a tenant hides its
// notifications at once, as it hides the tenant from GET /me.
export const handler = apiHandler(listNotificationsRoute, async ({ user, query, deps }) => {
  const store = notificationStore(deps.stores);
  const memberOf = (await deps.directory.listMemberships(user.id)).map((m) => m.tenantId);
  const page = await store.listForUser(user.id, { tenantId: query.tenantId, unreadOnly: query.unread === true, memberOf }, query.limit, query.cursor);
  return { status: 200, body: { items: page.items, nextCursor: page.nextCursor } };
});
