/**
 * The secret sweeper (issue 19 follow-up): deletes a tenant's superseded Graph credential once the
 * tenant profile no longer names it. It consumes the table stream, filtered to tenant profile items
 * (TENANT#t / PROFILE). A credential ref is superseded when the OLD image names it — as
 * `graph.secretRef` or `pendingCredential.secretRef` — and the NEW image names it nowhere:
 *
 *   - a rotation's check passed: `graph.secretRef` moved to the pending ref → the old current ref;
 *   - its check failed or was cancelled: `pendingCredential` dropped → the pending ref;
 *   - a stale pending credential replaced by a newer rotation → the stale pending ref.
 *
 * Why the stream: a record exists only for a committed write, so a secret is never deleted before
 * the terminal transaction that stops naming it has committed (a crash in between leaves the tenant
 * pointing at a live secret, and the record is still delivered). It sees every path that ends a
 * rotation — the worker's completion, a cancel, the reaper, the DLQ handler — not just the worker's.
 * A failed deletion answers the record as a batch item failure, so the event source retries it
 * (bisecting, then the failure queue), on its own stream consumer: it never holds back run events.
 *
 * Safety: before deleting, the tenant profile is read again (strongly consistent) and a ref it
 * names now is never deleted. Deleting is idempotent (SecretWriter.delete), so a replayed record or
 * a duplicate delivery is harmless.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { logger } from '../observability/logger.js';
import { TABLE_KEYS, TENANT_PROFILE_SK, tenantPk } from '../store/keys.js';
import { type CredentialSecretDeps, deleteUnreferenced, refsOf } from './credential-secrets.js';

/** the tenant profile as it is now (strongly consistent), and the secret store */
export type SecretSweeperDeps = CredentialSecretDeps;

const TENANT_PK_PREFIX = tenantPk('');

/** Is the record a tenant profile's? (the event source's filter, CDK and local relay alike) */
export function isTenantProfileRecord(record: DynamoDBRecord): boolean {
  const k = record.dynamodb?.Keys as Record<string, { S?: string }> | undefined;
  return String(k?.[TABLE_KEYS.partitionKey]?.S ?? '').startsWith(TENANT_PK_PREFIX) && k?.[TABLE_KEYS.sortKey]?.S === TENANT_PROFILE_SK;
}

type Image = { graph?: { secretRef?: string }; pendingCredential?: { secretRef?: string } } | null;
const imageOf = (raw: unknown): Image => (raw ? (unmarshall(raw as never) as Image) : null);

/** The refs the old image names and the new one does not (pure). */
export function supersededRefs(record: DynamoDBRecord): string[] {
  if (record.eventName !== 'MODIFY' && record.eventName !== 'REMOVE') return [];
  const before = refsOf(imageOf(record.dynamodb?.OldImage));
  const after = new Set(refsOf(imageOf(record.dynamodb?.NewImage)));
  return [...new Set(before.filter((r) => !after.has(r)))];
}

const tenantIdOf = (record: DynamoDBRecord) =>
  String((record.dynamodb?.Keys as Record<string, { S?: string }> | undefined)?.[TABLE_KEYS.partitionKey]?.S ?? '').slice(TENANT_PK_PREFIX.length);
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb?.SequenceNumber ?? record.eventID ?? '';

/** Deletes the secrets a batch of tenant profile changes superseded; the first record not done is retried. */
export async function sweepSecrets(event: DynamoDBStreamEvent, deps: SecretSweeperDeps): Promise<DynamoDBBatchResponse> {
  for (const record of event.Records ?? []) {
    if (!isTenantProfileRecord(record)) continue;
    try {
      const refs = supersededRefs(record);
      if (refs.length === 0) continue;
      const tenantId = tenantIdOf(record);
      // Never delete what the tenant names now (a replay of an old record, a ref written back).
      for (const ref of await deleteUnreferenced(deps, tenantId, refs.map((ref) => ({ ref })))) {
        logger.info('deleted a superseded Graph credential', { tenantId, ref });
      }
    } catch (err) {
      logger.error('a superseded Graph credential could not be deleted; the stream will retry it', { sequenceNumber: sequenceOf(record), error: err as Error });
      return { batchItemFailures: [{ itemIdentifier: sequenceOf(record) }] };
    }
  }
  return { batchItemFailures: [] };
}
