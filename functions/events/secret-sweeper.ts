/**
 * The table stream's second consumer (issue 19 follow-up): tenant profile changes → deletion of the
 * Graph credentials they superseded (shared/tenants/secret-sweeper.ts). Only tenant profile items
 * reach it (the event source's filter); it reads the table and may delete secrets under
 * GRAPH_SECRET_PREFIX, nothing else.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventDeps } from '../../shared/events/deps.js';
import { credentialSecretDeps } from '../../shared/tenants/credential-secrets.js';
import { sweepSecrets } from '../../shared/tenants/secret-sweeper.js';

export const handler = (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> =>
  sweepSecrets(event, credentialSecretDeps(eventDeps().stores.directory));
