/**
 * The table stream → the bus (SPEC §6), and in DISPATCH_MODE=outbox → the work queue too. Events are derived from committed writes, so a transition
 * can never be lost to a failed second write: a record is only acknowledged once its event was
 * accepted. When the bus keeps refusing, the batch answers the first unpublished record as a
 * `batchItemFailure`; Lambda then retries from that record (later ones too — consumers tolerate
 * duplicates), and the event source's retry/failure-queue settings take over from there.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { fromRunItem } from '../store/run-store.js';
import type { Run } from '../runs/model.js';
import { logger } from '../observability/logger.js';
import type { BusEvent, EventPublisher } from './ports.js';
import { publishWithRetry, type RetryOptions } from './publish-with-retry.js';
import { runEventOf } from './run-events.js';
import { auditEventOf } from './audit-events.js';
import { AUDIT_KIND } from '../store/audit-store.js';
import { recordRunEventMetrics } from '../observability/run-metrics.js';
import type { WorkMessage } from '../runs/ports.js';
import { relayOutbox, workMessageOf, type OutboxDeps } from './outbox-relay.js';

export interface StreamPublisherDeps {
  publisher: EventPublisher;
  retry?: RetryOptions;
  /** DISPATCH_MODE=outbox: also enqueue each newly inserted queued run (shared/events/outbox-relay.ts) */
  outbox?: OutboxDeps;
}

function runImage(image: unknown): Run | null {
  if (!image) return null;
  const item = unmarshall(image as never) as Record<string, unknown>;
  return item.kind === 'run' ? fromRunItem(item) : null;
}

/** The event a stream record means, or null (not a run or audit entry, or a run whose status did not change). */
export function eventOfRecord(record: DynamoDBRecord): BusEvent | null {
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY') return null; // REMOVE / TTL deletes
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  const image = record.dynamodb?.NewImage ? (unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>) : null;
  if (image?.kind === AUDIT_KIND) return auditEventOf(record.eventName, image, seconds ? new Date(seconds * 1000) : undefined);
  return runEventOf(runImage(record.dynamodb?.OldImage), runImage(record.dynamodb?.NewImage), seconds ? new Date(seconds * 1000) : undefined);
}

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber ?? record.eventID ?? '';

export async function publishStreamBatch(event: DynamoDBStreamEvent, deps: StreamPublisherDeps): Promise<DynamoDBBatchResponse> {
  const records = event.Records ?? [];
  // Derive in stream order; a record that cannot be read stops the batch there (everything before
  // it is still published), so a poison record is retried, bisected and finally set aside by the
  // event source instead of being skipped silently.
  const pending: Array<{ record: DynamoDBRecord; event: BusEvent }> = [];
  const outbox: Array<{ record: DynamoDBRecord; message: WorkMessage }> = [];
  let poison: DynamoDBRecord | undefined;
  for (const record of records) {
    try {
      const busEvent = eventOfRecord(record);
      const message = deps.outbox ? workMessageOf(record) : null;
      if (busEvent) pending.push({ record, event: busEvent });
      if (message) outbox.push({ record, message });
    } catch (err) {
      logger.error('a stream record could not be read as a run', { sequenceNumber: sequenceOf(record), error: err as Error });
      poison = record;
      break;
    }
  }

  const [failed, unsent] = await Promise.all([
    pending.length === 0 ? [] : publishWithRetry(deps.publisher, pending.map((p) => p.event), {
      ...deps.retry,
      onRetry: (info) => {
        logger.warn('the bus did not accept every run event; retrying', { attempt: info.attempt, failed: info.failed, error: info.error as Error });
        deps.retry?.onRetry?.(info);
      },
    }),
    outbox.length === 0 || !deps.outbox ? [] : relayOutbox(outbox.map((o) => o.message), deps.outbox),
  ]);
  // Metrics only for what is published for good: a retried batch republishes from its first failure.
  const firstFailed = failed.length > 0 ? Math.min(...failed) : pending.length;
  recordRunEventMetrics(pending.slice(0, firstFailed).map((p) => p.event));
  if (failed.length > 0) logger.error('run events could not be published; the stream will retry them', { failed: failed.length, sequenceNumber: sequenceOf(pending[firstFailed].record) });
  // The stream retries from the earliest record not done (events and work messages after it are
  // sent again: both are idempotent for their consumers).
  const notDone = [...failed.map((i) => pending[i].record), ...unsent.map((i) => outbox[i].record), ...(poison ? [poison] : [])];
  const first = records.find((r) => notDone.includes(r));
  return { batchItemFailures: first ? [{ itemIdentifier: sequenceOf(first) }] : [] };
}
