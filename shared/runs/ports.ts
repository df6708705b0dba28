/**
 * The ports the run core talks through. The core declares what it needs; shared/store (RunStore)
 * and shared/queue (SqsWorkQueue) implement these, so nothing here imports from them.
 */
import { DomainError } from '../errors.js';
import type { Run } from './model.js';

export interface WorkMessage {
  runId: string;
  tenantId: string;
  type: string;
  /** how many times this run was continued (re-enqueued by a worker running out of time) */
  continuation?: number;
}

export interface WorkQueue {
  send(message: WorkMessage, opts?: { delaySeconds?: number }): Promise<void>;
}

/** A domain record's Put that must commit in the same transaction as a run write (restore record, schedule run…). */
export interface CompanionPut {
  Item: Record<string, unknown>;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * A domain record's Update that commits in the same transaction as a run write: how a type's
 * projection moves its rows along with the run (status, completedAt). `name` names it in the
 * transaction (a failed condition comes back as `companion_conflict` with `item` = this name).
 */
export interface CompanionUpdate {
  name: string;
  Update: {
    Key: Record<string, unknown>;
    UpdateExpression: string;
    ConditionExpression?: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
}

/**
 * A condition on a record the run write does not change — "the backup set this run reads exists" —
 * checked by DynamoDB inside the run's own transaction (a ConditionCheck action of TransactWriteItems,
 * which "applies a condition to an item that is not being modified by the transaction"; API Reference,
 * TransactWriteItems). It replaces a read before the start: one round trip less, and the record cannot
 * disappear between the check and the run's commit. A failed check cancels the whole transaction and
 * throws `refusal()` (e.g. the 422 "unknown backup set"). The checked item must not be written by the
 * same transaction (no two actions may target one item).
 */
export interface CompanionCheck {
  name: string;
  Check: {
    Key: Record<string, unknown>;
    ConditionExpression: string;
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  };
  refusal: () => Error;
}

/** What a start plan adds to the run's start transaction: its domain rows and its reference checks. */
export type StartCompanion = CompanionPut | CompanionCheck;

/** Any companion write of a run transaction. */
export type CompanionWrite = CompanionPut | CompanionUpdate | CompanionCheck;

export const isCompanionUpdate = (c: CompanionWrite): c is CompanionUpdate => 'Update' in c;
export const isCompanionCheck = (c: CompanionWrite): c is CompanionCheck => 'Check' in c;
/** A companion's name in its transaction (a CompanionConflictError says which record it was): a Put's `kind`. */
export const companionName = (c: CompanionWrite): string => ('name' in c ? c.name : String(c.Item.kind ?? 'companion'));

/**
 * What the run service needs from storage. Failures it reacts to are DomainErrors with these codes:
 * - createRun: ActiveRunExistsError (the key is held; carries the holder), `companion_conflict` (a
 *   companion's condition failed: not retried);
 * - saveTransition: `version_conflict` (re-read and re-apply).
 * A TransactionConflict cancellation is retried inside the repository (the table client, with
 * jittered backoff); one that outlasts those attempts surfaces as `transaction_conflict`, which the
 * core passes on to its caller rather than retrying in a second layer.
 */
export interface RunRepository {
  /** Writes a new run, its active run key and its companions in one transaction. */
  createRun(run: Run, companions?: StartCompanion[]): Promise<void>;
  /** The run, read consistently unless told otherwise; null when absent or expired. */
  getRun(tenantId: string, runId: string, opts?: { consistent?: boolean }): Promise<Run | null>;
  /** The id of the run holding an active run key, if any (read consistently). */
  activeKeyHolder(tenantId: string, type: string, identityHash: string): Promise<string | null>;
  /** Persists `next` if the stored run is still `prev` (its version); releases the key on completion. */
  saveTransition(prev: Run, next: Run, companions?: CompanionWrite[]): Promise<void>;
}

/** The codes of the repository conflicts the core retries. */
export type RepositoryConflict = 'version_conflict' | 'transaction_conflict';

export const isConflict = (err: unknown, ...codes: RepositoryConflict[]): boolean =>
  err instanceof DomainError && (codes as string[]).includes(err.code);
