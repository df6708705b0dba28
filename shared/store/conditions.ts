/** Helpers for conditional writes shared by the repositories. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** DynamoDB's TTL attribute holds epoch seconds. */
export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * When a transaction was cancelled because item `index`'s condition failed, the item as it was
 * (asked for with ReturnValuesOnConditionCheckFailure ALL_OLD), so a conflict costs no second read.
 * Null for any other cause; `{}` when the condition failed but no image came back.
 */
export function conflictingItem(err: unknown, index = 0): Record<string, unknown> | null {
  if (!(err instanceof TransactionCanceledException)) return null;
  const reason = err.CancellationReasons?.[index];
  if (reason?.Code !== 'ConditionalCheckFailed') return null;
  return reason.Item ? unmarshall(reason.Item as never) : {};
}
