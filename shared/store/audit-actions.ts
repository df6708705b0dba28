/** The audit trail's actions (issue 19): a pure list, read by the API's schemas and the console's filter. */
export const AUDIT_ACTIONS = [
  'tenant.created', 'credential.rotated',
  'member.added', 'member.role_changed', 'member.removed',
  'invitation.sent', 'invitation.accepted', 'invitation.revoked',
  'schedule.created', 'schedule.changed', 'schedule.deleted',
  'restore.started', 'run.cancelled',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
