/** How invitations look in API answers: the tenant's own id and name are the path's. */
import type { Invitation } from '../store/member-store.js';

export const toApiInvitation = (i: Invitation) => ({ id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt, createdAt: i.createdAt, invitedBy: i.invitedBy });
