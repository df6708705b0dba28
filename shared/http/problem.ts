/**
 * RFC 9457 problem details: every error the API answers (§5). Domain errors carry a stable `code`
 * (shared/errors.ts); ONE table below maps each code to its status, type and title, and the error
 * middleware (shared/http/middleware.ts) answers with it.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { $ZodError as ZodError } from 'zod/v4/core';
import { DomainError } from '../errors.js';
import { ActiveRunQuotaExceededError, DispatchFailedError, PreconditionFailedError } from '../runs/errors.js';
import { TransitionError } from '../runs/lifecycle.js';
import { viewUrlOf } from '../runs/model.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  [member: string]: unknown;
}

export type FieldErrors = Array<{ path: string; message: string }>;

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

export const titleOf = (status: number) => TITLES[status] ?? 'Error';
/**
 * Retry-After of a 429 for the active-run quota: a slot frees only when one of the tenant's runs
 * completes, which takes seconds to minutes; 30 s keeps well-behaved clients from hammering the API.
 */
export const QUOTA_RETRY_AFTER_SECONDS = 30;

const typeOf = (title: string) => `https://operation-runs.dev/problems/${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

/** An HTTP error that becomes a problem+json answer. `extra` adds members (e.g. runId, viewUrl). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly opts: { title?: string; type?: string; errors?: FieldErrors; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toBody(): ProblemBody {
    const title = this.opts.title ?? titleOf(this.status);
    return {
      type: this.opts.type ?? typeOf(title),
      title,
      status: this.status,
      detail: this.detail,
      ...(this.opts.errors ? { errors: this.opts.errors } : {}),
      ...(this.opts.extra ?? {}),
    };
  }
}

export const VALIDATION_TITLE = 'Validation failed';

export const problems = {
  unauthorized: () => new HttpProblem(401, 'A valid bearer token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } }),
  tooLarge: (limit: number) => new HttpProblem(413, `The request body exceeds ${limit} bytes.`),
  notFound: (what = 'The resource') => new HttpProblem(404, `${what} was not found.`),
  forbidden: (detail: string) => new HttpProblem(403, detail),
  badRequest: (detail: string, errors?: FieldErrors) => new HttpProblem(400, detail, { title: VALIDATION_TITLE, errors }),
  unprocessable: (detail: string, errors?: FieldErrors) => new HttpProblem(422, detail, { errors }),
  conflict: (detail: string) => new HttpProblem(409, detail),
};

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

export function problemResponse(p: HttpProblem): APIGatewayProxyResultV2 {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...(p.opts.headers ?? {}) },
    body: JSON.stringify(p.toBody()),
  };
}
