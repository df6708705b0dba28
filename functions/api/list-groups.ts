import { apiHandler } from '../../shared/http/api.js';
import { listGroupsRoute } from '../../shared/http/read-schemas.js';
import { groupCacheStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listGroupsRoute, async ({ tenantId, query, deps }) => {
  const page = await groupCacheStore(deps.stores).list(tenantId, query);
  const items = page.items.map((g) => ({ id: g.groupId, displayName: g.displayName, mail: g.mail, description: g.description, securityEnabled: g.securityEnabled, mailEnabled: g.mailEnabled, lastSeenAt: g.lastSeenAt }));
  return { status: 200, body: { items, nextCursor: page.nextCursor } };
});
