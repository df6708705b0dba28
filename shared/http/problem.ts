/**
 * RFC 9457 problem details: every error the API answers (§5). Domain errors carry a stable `code`
 * (shared/errors.ts); ONE table below maps each code to its status, type and title, and the error
 * middleware (shared/http/middleware.ts) answers with it.
 */
import { $ZodError as ZodError } from 'zod/v4/core';
import { DomainError } from '../errors.js';
import { ActiveRunQuotaExceededError, DispatchFailedError, PreconditionFailedError } from '../runs/errors.js';
import { TransitionError } from '../runs/lifecycle.js';
import { viewUrlOf } from '../runs/model.js';
import { HttpProblem, problems, titleOf, VALIDATION_TITLE, type FieldErrors } from './problem-core.js';

export * from './problem-core.js';

/**
 * Retry-After of a 429 for the active-run quota: a slot frees only when one of the tenant's runs
 * completes, which takes seconds to minutes; 30 s keeps well-behaved clients from hammering the API.
 */
export const QUOTA_RETRY_AFTER_SECONDS = 30;

/** How one domain error code answers over HTTP. */
export interface ProblemMapping {
  status: number;
  title: string;
  type?: string;
  headers?: Record<string, string>;
  /** the detail text; the error's own message when absent */
  detail?: (err: DomainError) => string;
  errors?: (err: DomainError) => FieldErrors | undefined;
  extra?: (err: DomainError) => Record<string, unknown> | undefined;
}

/**
 * THE table: domain error code → problem. Codes, not classes, so a module's errors map here without
 * this file importing it (the store's conflict errors, for one). A code missing here is a 500.
 */
export const PROBLEM_TABLE: Readonly<Record<string, ProblemMapping>> = {
  run_not_found: { status: 404, title: titleOf(404), detail: () => 'The run was not found.' },
  invalid_cursor: {
    status: 400, title: VALIDATION_TITLE,
    detail: () => 'The cursor is not valid for this list.',
    errors: (err) => [{ path: 'cursor', message: err.message }],
  },
  precondition_failed: { status: 422, title: titleOf(422), errors: (err) => (err instanceof PreconditionFailedError ? err.errors : undefined) },
  invalid_transition: {
    status: 409, title: titleOf(409),
    detail: (err) => (err instanceof TransitionError && err.from === 'completed' ? 'The run has already completed.' : err.message),
  },
  active_run_exists: { status: 409, title: titleOf(409), detail: () => 'An active run already holds this key.' },
  version_conflict: { status: 409, title: titleOf(409), detail: () => 'The record changed while this request was writing it; read it again and retry.' },
  companion_conflict: { status: 409, title: titleOf(409), detail: () => 'A record this request creates already exists.' },
  transaction_conflict: {
    status: 503, title: titleOf(503), headers: { 'Retry-After': '1' },
    detail: () => 'Another request touched the same records at that moment; try again.',
  },
  too_many_active_runs: {
    status: 429, title: 'Too many active runs', type: 'https://operation-runs.dev/problems/too-many-active-runs',
    headers: { 'Retry-After': String(QUOTA_RETRY_AFTER_SECONDS) },
    detail: (err) => (err instanceof ActiveRunQuotaExceededError
      ? `This tenant already has ${err.limit} active runs (queued or running), its quota; start again when one of them has completed.`
      : err.message),
    extra: (err) => (err instanceof ActiveRunQuotaExceededError ? { limit: err.limit } : undefined),
  },
  too_many_schedules: {
    status: 400, title: VALIDATION_TITLE,
    errors: (err) => [{ path: '', message: err.message }],
  },
  last_owner: { status: 409, title: titleOf(409) },
  no_longer_owner: { status: 403, title: titleOf(403) },
  invitation_exists: { status: 409, title: titleOf(409) },
  membership_changed: { status: 409, title: titleOf(409) },
  dispatch_failed: {
    status: 503, title: titleOf(503),
    detail: () => 'The run was recorded but could not be handed to a worker; it has been marked failed (dispatch_failed). Try again.',
    extra: (err) => (err instanceof DispatchFailedError ? { runId: err.run.id, viewUrl: viewUrlOf(err.run.tenantId, err.run.id) } : undefined),
  },
};

export function zodErrors(err: ZodError, prefix = ''): FieldErrors {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

/** Maps any thrown error to the HTTP problem it means: HttpProblem as is, domain errors by the table, the rest 500. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ZodError) return problems.badRequest('The request is not valid.', zodErrors(err));
  if (err instanceof DomainError) {
    const m = PROBLEM_TABLE[err.code];
    if (m) {
      return new HttpProblem(m.status, m.detail ? m.detail(err) : err.message, {
        title: m.title, type: m.type, headers: m.headers, errors: m.errors?.(err), extra: m.extra?.(err),
      });
    }
  }
  return new HttpProblem(500, 'Something went wrong on our side.');
}
