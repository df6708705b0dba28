/**
 * The dependency-free half of RFC 9457 problem details: the HttpProblem error, the titles and the
 * problem+json response. No zod, no domain, no logger — so the public static handlers
 * (./public-handler.ts: /health, /openapi.json) answer problems without bundling the API's
 * dependencies (issue 18). The domain's code table is ./problem.ts, which re-exports this.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

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

export function problemResponse(p: HttpProblem): APIGatewayProxyResultV2 {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...(p.opts.headers ?? {}) },
    body: JSON.stringify(p.toBody()),
  };
}
