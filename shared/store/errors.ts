/**
 * The store's typed errors. Each is a DomainError with a stable `code`; the run core tells them apart
 * by that code (it imports nothing from shared/store/, see shared/runs/ports.ts).
 *
 * A cancelled transaction is read per item (its CancellationReasons are in TransactItems order):
 * - a failed condition on the transaction's subject is whatever that item says it means — for a run
 *   write, a VersionConflictError (or RunConditionFailedError for a new run whose id exists);
 * - a failed condition on any other item is a CompanionConflictError naming that item;
 * - a TransactionConflict (another transaction touched an item at that moment) is a
 *   TransactionConflictError: nothing is wrong with the data, trying again is safe.
 */
import { DomainError } from '../errors.js';

/** A versioned write lost a race: the stored item is not the version the writer read. */
export class VersionConflictError extends DomainError {
  readonly code = 'version_conflict';
  constructor(readonly entity: string, readonly id: string, readonly expectedVersion?: number) {
    super(`${entity} ${id} changed${expectedVersion === undefined ? ' concurrently' : ` since version ${expectedVersion}`}`);
  }
}

/** A new run's own item already exists (its condition `attribute_not_exists` failed). */
export class RunConditionFailedError extends DomainError {
  readonly code = 'run_condition_failed';
  constructor(readonly runId: string) {
    super(`run ${runId} could not be written: its condition failed`);
  }
}

/** A condition on an item other than the transaction's subject failed; `item` says which. */
export class CompanionConflictError extends DomainError {
  readonly code = 'companion_conflict';
  constructor(
    /** the item's name in its transaction (its `kind`, e.g. 'restore', 'activeKey', 'backupSet') */
    readonly item: string,
    /** its position in TransactItems */
    readonly index: number,
    /** the item as it was, when ALL_OLD was asked for ({} otherwise) */
    readonly old: Record<string, unknown> = {},
  ) {
    super(`the condition on the transaction's ${item} item (#${index}) failed`);
  }
}

/** Another transaction touched the same items at that moment (TransactionConflict): safe to try again. */
export class TransactionConflictError extends DomainError {
  readonly code = 'transaction_conflict';
  constructor(readonly items: string[] = []) {
    super(`a concurrent transaction touched the same items${items.length ? ` (${items.join(', ')})` : ''}`);
  }
}

/** A batch read or write still had unprocessed items when its retry budget was spent. */
export class BatchIncompleteError extends DomainError {
  readonly code = 'batch_incomplete';
  constructor(readonly operation: 'BatchGet' | 'BatchWrite', readonly unprocessed: number, readonly rounds: number) {
    super(`${operation} left ${unprocessed} item(s) unprocessed after ${rounds} rounds`);
  }
}

/** The tenant already has its quota of backup schedules (MAX_SCHEDULES_PER_TENANT, issue 16 → 400). */
export class ScheduleQuotaExceededError extends DomainError {
  readonly code = 'too_many_schedules';
  constructor(readonly tenantId: string, readonly limit: number) {
    super(`a tenant may have at most ${limit} backup schedules; delete one before creating another`);
  }
}

/** The change would leave the tenant without an owner (issue 19 → 409). */
export class LastOwnerError extends DomainError {
  readonly code = 'last_owner';
  constructor(readonly tenantId: string) {
    super('A tenant must keep at least one owner: make someone else owner first.');
  }
}

/** The caller stopped being an owner of the tenant while the change was being written (→ 403). */
export class NoLongerOwnerError extends DomainError {
  readonly code = 'no_longer_owner';
  constructor(readonly tenantId: string) {
    super('Your role in this tenant changed: only an owner may change memberships.');
  }
}

/** The email already has a pending invitation to the tenant (→ 409). */
export class InvitationExistsError extends DomainError {
  readonly code = 'invitation_exists';
  constructor(readonly email: string) {
    super('This email already has a pending invitation to the tenant; revoke it to invite again.');
  }
}

/** A membership kept changing under a change (→ 409, try again). */
export class MembershipChangedError extends DomainError {
  readonly code = 'membership_changed';
  constructor(readonly userId: string) {
    super('The membership changed while this request was writing it; read it again and retry.');
  }
}
