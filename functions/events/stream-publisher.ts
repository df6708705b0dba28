/** The table stream's consumer: committed run transitions → the event bus (SPEC §6). */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { publishStreamBatch } from '../../shared/events/stream-publisher.js';
import { eventPublisher } from '../../shared/events/deps.js';

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  publishStreamBatch(event, { publisher: eventPublisher() });
