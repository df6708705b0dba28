/**
 * The API's middleware stack, written once and stacked the same way on every route (STYLE §2).
 * Checks run in the order §5 prescribes; the first that fails answers:
 *   401 token → 413 size → 404 tenant membership → 400 body and input → 403 role → 422 (the handler).
 * A handler is a plain `async (req) => ({ status, body, headers })`.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { z, ZodError, type ZodType } from 'zod';
import { roleAtLeast, type Role } from '../runs/model.js';
import { PreconditionFailedError, RunNotFoundError, InvalidCursorError, DispatchFailedError } from '../runs/errors.js';
import { TransitionError } from '../runs/lifecycle.js';
import { viewUrlOf } from '../runs/model.js';
import type { Membership } from '../store/directory-store.js';
import { logger } from '../observability/logger.js';
import { HttpProblem, problems } from './problem.js';
import { apiDeps, type ApiDeps } from './deps.js';

export const MAX_BODY_BYTES = 64 * 1024;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

export interface ApiRequest<B = unknown, Q = unknown> {
  event: ApiEvent;
  user: { id: string; name: string };
  /** present on /tenants/{tenantId}/… routes, after the membership check */
  tenantId: string;
  membership: Membership;
  params: Record<string, string>;
  query: Q;
  body: B;
  headers: Record<string, string>;
  deps: ApiDeps;
  /** 403 unless the caller's role in the tenant is at least `minimum` */
  requireRole(minimum: Role, action?: string): void;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiOptions<B, Q> {
  /** false: no token needed (health, openapi, local dev login) */
  auth?: boolean;
  /** the minimum tenant role for the whole route (checked after body validation) */
  role?: Role;
  body?: ZodType<B>;
  query?: ZodType<Q>;
}

type Internal = { api: ApiRequest<any, any> };

/** Keys that could pollute prototypes when a parsed body is copied: refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJsonStrict(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new HttpProblem(400, `The key "${key}" is not allowed.`, { title: 'Validation failed', errors: [{ path: key, message: 'forbidden key' }] });
      return value;
    });
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    throw problems.badRequest('The request body is not valid JSON.', [{ path: '', message: 'malformed JSON' }]);
  }
}

export function zodErrors(err: ZodError, prefix = ''): Array<{ path: string; message: string }> {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

function rawBody(event: ApiEvent): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

const lowerHeaders = (h: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(h ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k.toLowerCase(), v as string]));

function identity(event: ApiEvent): { id: string; name: string } | null {
  const claims = (event.requestContext as any)?.authorizer?.jwt?.claims as Record<string, unknown> | undefined;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) return null;
  const name = typeof claims?.name === 'string' && claims.name ? (claims.name as string) : sub;
  return { id: sub, name };
}

/** Maps any thrown error to the HTTP problem it means. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof ZodError) return problems.badRequest('The request is not valid.', zodErrors(err));
  if (err instanceof RunNotFoundError) return problems.notFound('The run');
  if (err instanceof InvalidCursorError) return problems.badRequest('The cursor is not valid for this list.', [{ path: 'cursor', message: err.message }]);
  if (err instanceof PreconditionFailedError) return problems.unprocessable(err.message, err.errors);
  if (err instanceof TransitionError) return problems.conflict(err.from === 'completed' ? 'The run has already completed.' : err.message);
  if (err instanceof DispatchFailedError) {
    return new HttpProblem(503, 'The run was recorded but could not be handed to a worker; it has been marked failed (dispatch_failed). Try again.', {
      extra: { runId: err.run.id, viewUrl: viewUrlOf(err.run.tenantId, err.run.id) },
    });
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

export function apiHandler<B = undefined, Q = Record<string, never>>(
  opts: ApiOptions<B, Q>,
  fn: (req: ApiRequest<B, Q>) => Promise<ApiResult> | ApiResult,
) {
  const needsAuth = opts.auth !== false;

  const base = async (_event: ApiEvent, context: Context & { internalApi?: Internal }): Promise<APIGatewayProxyResultV2> => {
    const result = await fn(context.internalApi!.api);
    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    if (result.body === undefined) return { statusCode: result.status, headers };
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(result.body),
    };
  };

  const prepare: middy.MiddlewareObj<ApiEvent, APIGatewayProxyResultV2, Error, Context & { internalApi?: Internal }> = {
    name: 'prepare-request',
    before: async (request) => {
      const event = request.event;
      const deps = apiDeps();
      const params = (event.pathParameters ?? {}) as Record<string, string>;
      const headers = lowerHeaders(event.headers);
      logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey, tenantId: params.tenantId, runId: params.runId });

      // 401 token
      const user = identity(event);
      if (needsAuth && !user) throw problems.unauthorized();

      // 413 size
      const body = rawBody(event);
      if (body !== undefined && Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);

      // 404 tenant membership: a tenant you are not a member of does not exist for you.
      let membership: Membership | null = null;
      if (params.tenantId !== undefined) {
        membership = user ? await deps.directory.getMembership(user.id, params.tenantId) : null;
        if (!membership) throw problems.notFound('The tenant');
      }

      // 400 body and query
      let parsedBody: unknown = undefined;
      if (opts.body) {
        const json = body === undefined || body.trim() === '' ? undefined : parseJsonStrict(body);
        // No body at all is the same as `{}` when every member is optional (e.g. POST /dev/schedules/tick).
        if (json === undefined && !opts.body.safeParse({}).success) {
          throw problems.badRequest('A JSON request body is required.', [{ path: '', message: 'required' }]);
        }
        const r = opts.body.safeParse(json ?? {});
        if (!r.success) throw problems.badRequest('The request body is not valid.', zodErrors(r.error));
        parsedBody = r.data;
      }
      let query: unknown = {};
      if (opts.query) {
        const r = opts.query.safeParse(event.queryStringParameters ?? {});
        if (!r.success) throw problems.badRequest('The query is not valid.', zodErrors(r.error));
        query = r.data;
      } else {
        query = event.queryStringParameters ?? {};
      }

      const requireRole = (minimum: Role, action = 'this action') => {
        if (!membership || !roleAtLeast(membership.role, minimum)) {
          throw problems.forbidden(`Your role (${membership?.role ?? 'none'}) is not allowed to ${action}; it needs ${minimum} or higher.`);
        }
      };
      // 403 route role
      if (opts.role) requireRole(opts.role);

      request.context.internalApi = {
        api: {
          event, user: user ?? { id: '', name: '' }, tenantId: params.tenantId ?? '', membership: membership!,
          params, query, body: parsedBody, headers, deps, requireRole,
        },
      };
    },
    after: async () => {
      logger.removeKeys(['requestId', 'route', 'tenantId', 'runId']);
    },
    onError: async (request) => {
      const problem = toProblem(request.error);
      if (problem.status >= 500) logger.error('request failed', { error: request.error as Error });
      logger.removeKeys(['requestId', 'route', 'tenantId', 'runId']);
      request.response = problemResponse(problem);
    },
  };

  return middy<ApiEvent, APIGatewayProxyResultV2, Error, Context & { internalApi?: Internal }>(base).use(prepare);
}

/** Query helpers shared by list routes. */
export const limitParam = (def = 25, max = 100) =>
  z.coerce.number().int().min(1).max(max).default(def);
export const cursorParam = z.string().min(1).max(2048).optional();
