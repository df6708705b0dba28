/**
 * Audit entries on the bus (issue 19): an audit item's INSERT on the table stream → one
 * `Audit Entry Recorded` event whose detail is the entry exactly as stored — it passed the sanitizer
 * when it was written (shared/audit/audit.ts), the only way into the table. It is not sanitized a
 * second time: the sanitizer is not idempotent (`password=[REDACTED]` becomes `password=[REDACTED]]`),
 * and the event must equal the entry GET /audit answers. Entries are immutable: a MODIFY or a TTL
 * REMOVE publishes nothing.
 */
import { AUDIT_KIND, fromAuditItem } from '../store/audit-store.js';
import { AUDIT_DETAIL_TYPE, EVENT_SOURCE } from '../wiring.js';
import type { BusEvent } from './ports.js';

export function auditEventOf(eventName: string | undefined, newImage: Record<string, unknown> | null, time?: Date): BusEvent | null {
  if (eventName !== 'INSERT' || !newImage || newImage.kind !== AUDIT_KIND) return null;
  const entry = fromAuditItem(newImage);
  if (!entry) return null;
  return { source: EVENT_SOURCE, detailType: AUDIT_DETAIL_TYPE, detail: { ...entry } as unknown as Record<string, unknown>, ...(time ? { time } : {}) };
}
