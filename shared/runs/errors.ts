/** Small named errors that carry what the caller needs (STYLE §1). */
export class RunNotFoundError extends Error {
  constructor(readonly tenantId: string, readonly runId: string) {
    super(`run ${runId} not found in tenant ${tenantId}`);
    this.name = 'RunNotFoundError';
  }
}

/** The active run key is held: `existingRunId` is the run holding it (learnt from ALL_OLD). */
export class ActiveRunExistsError extends Error {
  constructor(readonly existingRunId: string) {
    super(`an active run already holds this key: ${existingRunId}`);
    this.name = 'ActiveRunExistsError';
  }
}

/** The run was written but could not be enqueued; it is already completed as failed (§5 503). */
export class DispatchFailedError extends Error {
  constructor(readonly run: import('./model.js').Run, cause: unknown) {
    super(`run ${run.id} could not be enqueued`, { cause });
    this.name = 'DispatchFailedError';
  }
}

export class InvalidCursorError extends Error {
  constructor(reason = 'the cursor is not valid for this list') {
    super(reason);
    this.name = 'InvalidCursorError';
  }
}

/** A reference the input names does not exist, or a precondition does not hold (§3 → 422). */
export class PreconditionFailedError extends Error {
  constructor(message: string, readonly errors: Array<{ path: string; message: string }> = []) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}
