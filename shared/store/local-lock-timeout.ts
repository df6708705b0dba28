/**
 * DynamoDB Local only (a client with a local endpoint; never in AWS): its answer to contention, told
 * the way DynamoDB itself tells it.
 *
 * DynamoDB Local runs transactions one at a time behind a lock. When many wait for that lock (a
 * hundred starts of one key at once, a loaded machine), it answers `InternalServerError: This action
 * timed out because it too long waiting for a lock. This request will succeed in actual DynamoDB API`.
 * DynamoDB never answers that: it cancels a TransactWriteItems that meets another transaction on one
 * of its items with `TransactionCanceledException`, reason `TransactionConflict` per item (API
 * Reference, TransactWriteItems, "TransactionCanceledException"). So a transaction that timed out on
 * the local lock is turned into that cancellation, and the code under test meets production's answer
 * (`TableClient.transact` retries it with backoff, then the caller decides) instead of a 500 that the
 * SDK would retry blindly into the same queue. Other operations keep the local error: it is a 500, the
 * SDK retries it, and DynamoDB would have served them.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export const LOCAL_LOCK_TIMEOUT = /too long waiting for a lock/i;

export function isLocalLockTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'InternalServerError' && LOCAL_LOCK_TIMEOUT.test(err.message);
}

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;

/** The middleware: inside the SDK's retries (step `deserialize`, before the deserializer), so a cancellation is not retried as a 500. */
export function localLockTimeoutAsConflict(next: Next, context: { commandName?: string }): Next {
  return async (args) => {
    try {
      return await next(args);
    } catch (err) {
      if (context.commandName !== 'TransactWriteItemsCommand' || !isLocalLockTimeout(err)) throw err;
      const items = (args.input.TransactItems as unknown[] | undefined) ?? [];
      throw new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict] (DynamoDB Local: lock wait timed out)',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: items.map(() => ({ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' })),
      });
    }
  };
}

export function addLocalLockTimeoutAsConflict(client: { middlewareStack: { add: (mw: never, opts: object) => void } }): void {
  client.middlewareStack.add(localLockTimeoutAsConflict as never, { step: 'deserialize', priority: 'high', name: 'localLockTimeoutAsConflict' });
}
