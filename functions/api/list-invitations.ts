import { apiHandler } from '../../shared/http/api.js';
import { listInvitationsRoute } from '../../shared/http/member-schemas.js';
import { toApiInvitation } from '../../shared/http/member-views.js';
import { memberStore } from '../../shared/store/stores.js';

export const handler = apiHandler(listInvitationsRoute, async ({ tenantId, query, deps }) => {
  const page = await memberStore(deps.stores).listInvitations(tenantId, deps.clock(), query.limit, query.cursor);
  return { status: 200, body: { items: page.items.map(toApiInvitation), nextCursor: page.nextCursor } };
});
