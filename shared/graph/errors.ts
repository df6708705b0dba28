/**
 * Graph failures as one small named error with a stable `code` (STYLE §1): executors turn it into a
 * run failure as is, so its message is sanitized when it is built — it may quote a Graph answer.
 */
import { sanitizeText } from '../runs/sanitize.js';

export const GRAPH_ERROR_CODES = [
  'graph_throttled',
  'graph_forbidden',
  'graph_not_found',
  'graph_unavailable',
  'graph_bad_request',
  'graph_auth_failed',
  'graph_error',
  /** a category Graph would not list (400/403/404): one failure of that category, the run goes on */
  'graph_category_unavailable',
  /** the path tree has no assign action for this policy type (iOS/Android app protection, WIP) */
  'graph_assign_unsupported',
] as const;
export type GraphErrorCode = (typeof GRAPH_ERROR_CODES)[number];

export class GraphError extends Error {
  readonly code: GraphErrorCode;
  /**
   * @param deferMs set when Graph asked for a wait (Retry-After or backoff) that the caller's time
   *   budget did not allow: the work should continue in a new invocation after this long (issue 13 §5).
   */
  constructor(code: GraphErrorCode, message: string, readonly status: number | null = null, readonly retryAfterMs: number | null = null, readonly deferMs: number | null = null) {
    super(sanitizeText(message));
    this.name = 'GraphError';
    this.code = code;
  }

  /** Throttling and outages pass; a later attempt (redelivery) may succeed where retries did not. */
  get transient(): boolean {
    return this.code === 'graph_throttled' || this.code === 'graph_unavailable';
  }
}

export function codeForStatus(status: number): GraphErrorCode {
  if (status === 429) return 'graph_throttled';
  if (status === 401) return 'graph_auth_failed';
  if (status === 403) return 'graph_forbidden';
  if (status === 404) return 'graph_not_found';
  if (status === 400 || status === 409 || status === 422) return 'graph_bad_request';
  if (status === 502 || status === 503 || status === 504) return 'graph_unavailable';
  return 'graph_error';
}
