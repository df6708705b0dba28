/**
 * The API's named middlewares, one concern each. A request middleware takes the request as built so
 * far and adds what it learnt (`user`, `rawBody`, `tenantId` + `membership`, `body` + `query`), or
 * throws the one problem it answers; each declares those problems, so /openapi.json lists every
 * 4XX a route can return. The compositions (publicRoute, userRoute, tenantRoute) live in api.ts.
 *
 * Two middy middlewares wrap every handler: `requestLogging` (log keys per request) and
 * `problemJson` (any error → application/problem+json, via the code table in problem.ts).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type * as z from '../zod.js';
import { roleAtLeast, ROLES, type Role } from '../runs/model.js';
import type { Membership } from '../store/directory-store.js';
import { logger } from '../observability/logger.js';
import { HttpProblem, VALIDATION_TITLE, problemResponse, problems, titleOf, toProblem, zodErrors } from './problem.js';
import type { ApiDeps } from './deps.js';
import type { ApiEvent, Middleware, ProblemDoc } from './body-limit.js';
import { settings } from '../settings.js';

export { MAX_BODY_BYTES, limitBodySize, type ApiEvent, type Middleware, type ProblemDoc } from './body-limit.js';

type ZodType = z.ZodMiniType;

/** What every request starts with, before any check. */
export interface BaseRequest {
  event: ApiEvent;
  params: Record<string, string>;
  headers: Record<string, string>;
  deps: ApiDeps;
}

export interface User {
  id: string;
  name: string;
  /** the token's `email` claim, else `preferred_username` when it is an address; lower-cased (invitations) */
  email?: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;
const emailClaim = (v: unknown): string | undefined => (typeof v === 'string' && EMAIL.test(v) ? v.toLowerCase() : undefined);

const doc = (status: number, description: string, title = titleOf(status)): ProblemDoc => ({ status, title, description });

function identity(event: ApiEvent): User | null {
  const claims: Record<string, unknown> | undefined = event.requestContext?.authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200) return null;
  const name = typeof claims?.name === 'string' && claims.name ? claims.name : sub;
  const email = emailClaim(claims?.email) ?? emailClaim(claims?.preferred_username);
  return email ? { id: sub, name, email } : { id: sub, name };
}

/** 401: the caller is the token's subject. */
export const authenticate: Middleware<{ event: ApiEvent }, { user: User }> = {
  name: 'authenticate',
  problems: [doc(401, 'no valid bearer token')],
  run: ({ event }) => {
    const user = identity(event);
    if (!user) throw problems.unauthorized();
    return { user };
  },
};

export type RequireRole = (minimum: Role, action?: string) => void;

/** 403 unless `membership`'s role is at least `minimum`. */
export function assertRole(membership: Membership, minimum: Role, action = 'this action'): void {
  if (!roleAtLeast(membership.role, minimum)) {
    throw problems.forbidden(`Your role (${membership.role}) is not allowed to ${action}; it needs ${minimum} or higher.`);
  }
}

/**
 * 404: a tenant you are not a member of does not exist for you. Adds the tenant, the caller's
 * membership and `requireRole` (for handlers whose role depends on what they act on).
 */
export const tenantMembership: Middleware<
  { user: User; params: Record<string, string>; deps: ApiDeps },
  { tenantId: string; membership: Membership; requireRole: RequireRole }
> = {
  name: 'tenantMembership',
  problems: [doc(404, 'the tenant does not exist or you are not a member')],
  run: async ({ user, params, deps }) => {
    const tenantId = params.tenantId;
    const membership = tenantId === undefined ? null : await deps.directory.getMembership(user.id, tenantId);
    if (tenantId === undefined || !membership) throw problems.notFound('The tenant');
    return { tenantId, membership, requireRole: (minimum, action) => assertRole(membership, minimum, action) };
  },
};

/**
 * 403 unless the caller is a platform admin (issue 19: PLATFORM_ADMINS, named at deploy time). It
 * sits where tenantMembership sits on tenant routes — after the token and the size, before the body
 * is parsed — so a non-admin learns nothing about these routes' inputs.
 */
export const platformAdmin: Middleware<{ user: User }, object> = {
  name: 'platformAdmin',
  problems: [doc(403, 'the caller is not a platform admin')],
  run: ({ user }) => {
    if (!settings().platformAdmins.includes(user.id)) throw problems.forbidden('Only platform admins may do this; they are named at deploy time (platformAdmins).');
    return {};
  },
};

/** The zod schemas a route validates its input with. */
export interface Schemas {
  body?: ZodType;
  query?: ZodType;
}

/** The parsed input, typed from the schemas: no schema, no body; an unvalidated query stays strings. */
export type ParsedInput<S extends Schemas> = {
  body: S extends { body: infer B extends ZodType } ? z.output<B> : undefined;
  query: S extends { query: infer Q extends ZodType } ? z.output<Q> : Record<string, string | undefined>;
};

/** Keys that could pollute prototypes when a parsed body is copied: refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJsonStrict(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new HttpProblem(400, `The key "${key}" is not allowed.`, { title: VALIDATION_TITLE, errors: [{ path: key, message: 'forbidden key' }] });
      return value;
    });
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    throw problems.badRequest('The request body is not valid JSON.', [{ path: '', message: 'malformed JSON' }]);
  }
}

function parseBody(schema: ZodType, rawBody: string | undefined): unknown {
  const json = rawBody === undefined || rawBody.trim() === '' ? undefined : parseJsonStrict(rawBody);
  // No body at all is the same as `{}` when every member is optional (e.g. POST /dev/schedules/tick).
  if (json === undefined && !schema.safeParse({}).success) {
    throw problems.badRequest('A JSON request body is required.', [{ path: '', message: 'required' }]);
  }
  const r = schema.safeParse(json ?? {});
  if (!r.success) throw problems.badRequest('The request body is not valid.', zodErrors(r.error));
  return r.data;
}

function parseQuery(schema: ZodType, event: ApiEvent): unknown {
  const r = schema.safeParse(event.queryStringParameters ?? {});
  if (!r.success) throw problems.badRequest('The query is not valid.', zodErrors(r.error));
  return r.data;
}

/** 400: the body (JSON, then its schema) and the query match the route's schemas. */
export function parseInput<S extends Schemas>(schemas: S): Middleware<{ event: ApiEvent; rawBody: string | undefined }, ParsedInput<S>> & { schemas: S } {
  const what = [schemas.body ? 'body' : '', schemas.query ? 'query' : ''].filter(Boolean).join(' or ');
  return {
    name: 'parseInput',
    schemas,
    problems: what ? [doc(400, `the ${what} is not valid`, VALIDATION_TITLE)] : [],
    run: ({ event, rawBody }) => {
      const body: unknown = schemas.body ? parseBody(schemas.body, rawBody) : undefined;
      const query: unknown = schemas.query ? parseQuery(schemas.query, event) : (event.queryStringParameters ?? {});
      // The values were produced by exactly the schemas ParsedInput<S> is computed from.
      return { body, query } as ParsedInput<S>;
    },
  };
}

/** 403: the caller's role in the tenant is at least `minimum` (the lowest role can never fail). */
export function requireRole(minimum: Role): Middleware<{ membership: Membership }, object> {
  return {
    name: `requireRole(${minimum})`,
    problems: minimum === ROLES[0] ? [] : [doc(403, `your role in the tenant is below ${minimum}`)],
    run: ({ membership }) => {
      assertRole(membership, minimum);
      return {};
    },
  };
}

type MiddyApi = middy.MiddlewareObj<ApiEvent, APIGatewayProxyResultV2>;
const LOG_KEYS = ['requestId', 'route', 'tenantId', 'runId'];

/** Log keys of this request, removed when it ends. */
export const requestLogging: MiddyApi = {
  before: async ({ event }) => {
    const params = event.pathParameters ?? {};
    logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey, tenantId: params.tenantId, runId: params.runId });
  },
  after: async () => {
    logger.removeKeys(LOG_KEYS);
  },
  onError: async () => {
    logger.removeKeys(LOG_KEYS);
  },
};

/** Any error → its problem+json answer (the code table in problem.ts); 5XX are logged. */
export const problemJson: MiddyApi = {
  onError: async (request) => {
    const problem = toProblem(request.error);
    if (problem.status >= 500) logger.error('request failed', { error: request.error as Error });
    request.response = problemResponse(problem);
  },
};
