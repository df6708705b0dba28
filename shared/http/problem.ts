/** RFC 9457 problem details: every error the API answers (§5). */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
  [member: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 412: 'Precondition Failed', 413: 'Content Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 428: 'Precondition Required', 429: 'Too Many Requests', 500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An HTTP error that becomes a problem+json answer. `extra` adds members (e.g. runId, viewUrl). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly opts: { title?: string; type?: string; errors?: Array<{ path: string; message: string }>; extra?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toBody(): ProblemBody {
    const slug = (this.opts.title ?? TITLES[this.status] ?? 'Error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
    return {
      type: this.opts.type ?? `https://operation-runs.dev/problems/${slug}`,
      title: this.opts.title ?? TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.detail,
      ...(this.opts.errors ? { errors: this.opts.errors } : {}),
      ...(this.opts.extra ?? {}),
    };
  }
}

export const problems = {
  unauthorized: () => new HttpProblem(401, 'A valid bearer token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } }),
  tooLarge: (limit: number) => new HttpProblem(413, `The request body exceeds ${limit} bytes.`),
  notFound: (what = 'The resource') => new HttpProblem(404, `${what} was not found.`),
  forbidden: (detail: string) => new HttpProblem(403, detail),
  badRequest: (detail: string, errors?: Array<{ path: string; message: string }>) => new HttpProblem(400, detail, { title: 'Validation failed', errors }),
  unprocessable: (detail: string, errors?: Array<{ path: string; message: string }>) => new HttpProblem(422, detail, { errors }),
  conflict: (detail: string) => new HttpProblem(409, detail),
};
