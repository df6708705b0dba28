/**
 * The table stream's consumer: committed run transitions → the event bus (SPEC §6); with
 * DISPATCH_MODE=outbox also the outbox relay, newly inserted queued runs → the work queue.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { eventPublisher } from '../../shared/events/deps.js';
import type { OutboxDeps } from '../../shared/events/outbox-relay.js';
import { serviceDeps } from '../../shared/operations/service-deps.js';
import { settings } from '../../shared/settings.js';

function outboxDeps(): OutboxDeps | undefined {
  if (settings().dispatchMode !== 'outbox') return undefined;
  const { queue, service } = serviceDeps();
  return { queue, failUndispatched: (tenantId, runId) => service.failUndispatched(tenantId, runId) };
}

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  publishStreamBatch(event, { publisher: eventPublisher(), outbox: outboxDeps() });
