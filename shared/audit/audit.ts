/**
 * The audit trail's one writer (issue 19). An administrative change records itself by adding
 * `auditPut(…)` to ITS OWN transaction (a CompanionPut, shared/runs/ports.ts): the entry exists
 * exactly when the change committed, once — a refused or retried change leaves no entry, a
 * deduplicated start none either. Entries are sanitized here, through the one sanitizer, kept one
 * year (DynamoDB TTL) and published on the bus by the stream publisher (`Audit Entry Recorded`).
 *
 *   await deps.stores.schedules.create(schedule, [auditPut({ tenantId, actor, action: 'schedule.created', target, after }, now)]);
 */
import { ulid } from 'ulid';
import type { CompanionPut } from '../runs/ports.js';
import { sanitizeValue } from '../runs/sanitize.js';
import { AUDIT_KIND, type AuditAction, type AuditActor, type AuditEntry } from '../store/audit-store.js';
import { keys, TTL_ATTRIBUTE } from '../store/keys.js';

export { AUDIT_ACTIONS, type AuditAction, type AuditActor, type AuditEntry } from '../store/audit-store.js';

/** How long an entry is kept: one year (DynamoDB TTL; reads need no expiry check, a year-old entry is history either way). */
export const AUDIT_RETENTION_DAYS = 365;

export interface AuditInput {
  tenantId: string;
  actor: AuditActor;
  action: AuditAction;
  target: AuditEntry['target'];
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** The sanitized entry of `input` at `now`, with a new ULID (ordered by time). */
export function auditEntry(input: AuditInput, now: Date): AuditEntry {
  const entry: AuditEntry = {
    id: ulid(now.getTime()),
    tenantId: input.tenantId,
    actor: { userId: input.actor.userId, name: input.actor.name },
    action: input.action,
    target: input.target,
    ...(input.before !== undefined ? { before: input.before } : {}),
    ...(input.after !== undefined ? { after: input.after } : {}),
    at: now.toISOString(),
  };
  // Names and values come from tokens and request bodies: untrusted text, like a run's initiator.
  return sanitizeValue(entry);
}

/** The companion Put that records `input` in the transaction of the change itself. */
export function auditPut(input: AuditInput, now: Date): CompanionPut {
  const entry = auditEntry(input, now);
  return {
    Item: {
      ...keys.audit(entry.tenantId, entry.id),
      kind: AUDIT_KIND,
      ...keys.auditLookups(entry.tenantId, entry.id, entry.actor.userId, entry.action),
      entry,
      [TTL_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + AUDIT_RETENTION_DAYS * 86_400,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** The actor of a request's user. */
export const actorOf = (user: { id: string; name: string }): AuditActor => ({ userId: user.id, name: user.name });

/** What a schedule's audit entry shows of it (before/after): its settings, not its bookkeeping. */
export const scheduleState = (s: { name: string; cron: string; categories: readonly string[] | null; keepLast: number; enabled: boolean }) => ({
  name: s.name, cron: s.cron, categories: s.categories, keepLast: s.keepLast, enabled: s.enabled,
});
