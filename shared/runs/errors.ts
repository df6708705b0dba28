/** Small named errors that carry what the caller needs (STYLE §1); each has a stable `code` (shared/errors.ts). */
import { DomainError } from '../errors.js';

export class RunNotFoundError extends DomainError {
  readonly code = 'run_not_found';

  constructor(readonly tenantId: string, readonly runId: string) {
    super(`run ${runId} not found in tenant ${tenantId}`);
  }
}

/** The active run key is held: `existingRunId` is the run holding it (learnt from ALL_OLD). */
export class ActiveRunExistsError extends DomainError {
  readonly code = 'active_run_exists';

  constructor(readonly existingRunId: string) {
    super(`an active run already holds this key: ${existingRunId}`);
  }
}

/**
 * A new run would pass the tenant's active-run quota (MAX_ACTIVE_RUNS_PER_TENANT, §5 → 429). Decided
 * only after dedupe: a start whose key is held answers the holder instead.
 */
export class ActiveRunQuotaExceededError extends DomainError {
  readonly code = 'too_many_active_runs';

  constructor(readonly tenantId: string, readonly limit: number) {
    super(`tenant ${tenantId} already has ${limit} active runs, its quota`);
  }
}

/** The run was written but could not be enqueued; it is already completed as failed (§5 503). */
export class DispatchFailedError extends DomainError {
  readonly code = 'dispatch_failed';

  constructor(readonly run: import('./model.js').Run, cause: unknown) {
    super(`run ${run.id} could not be enqueued`, { cause });
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'invalid_cursor';

  constructor(reason = 'the cursor is not valid for this list') {
    super(reason);
  }
}

/** A reference the input names does not exist, or a precondition does not hold (§3 → 422). */
export class PreconditionFailedError extends DomainError {
  readonly code = 'precondition_failed';

  constructor(message: string, readonly errors: Array<{ path: string; message: string }> = []) {
    super(message);
  }
}
