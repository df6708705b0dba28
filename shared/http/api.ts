/**
 * How an API handler is put together: named middlewares (middleware.ts), composed in ONE line per
 * kind of route, in the order §5 prescribes — the first check that fails answers:
 *
 *   401 authenticate → 413 limitBodySize → 404 tenantMembership → 400 parseInput → 403 requireRole → 422 the handler
 *
 * A route is declared once with `defineRoute` (its composition, schemas and documentation; the
 * OpenAPI document is built from those declarations) and served with `apiHandler(route, fn)`, where
 * `fn` is a plain `async (req) => ({ status, body, headers })` whose `req` type is inferred from the
 * composition and the route's zod schemas.
 */
import middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from '../zod.js';
import type { Role } from '../runs/model.js';
import { apiDeps } from './deps.js';
import {
  authenticate, limitBodySize, parseInput, platformAdmin, problemJson, requestLogging, requireRole, tenantMembership,
  type ApiEvent, type BaseRequest, type Middleware, type ProblemDoc, type Schemas,
} from './middleware.js';

export { MAX_BODY_BYTES, parseJsonStrict, type ApiEvent, type ProblemDoc } from './middleware.js';
export { problemResponse, toProblem, zodErrors } from './problem.js';

/** A chain of middlewares; `use` adds one, and the request type grows with what it adds. */
export class Pipeline<R> {
  private constructor(
    readonly names: readonly string[],
    readonly problems: readonly ProblemDoc[],
    readonly schemas: Schemas,
    readonly run: (base: BaseRequest) => Promise<R>,
  ) {}

  static start(schemas: Schemas = {}): Pipeline<BaseRequest> {
    return new Pipeline<BaseRequest>([], [], schemas, async (base) => base);
  }

  use<Add>(m: Middleware<R, Add>): Pipeline<R & Add> {
    const run = this.run;
    const schemas = 'schemas' in m && isSchemas(m.schemas) ? m.schemas : this.schemas;
    return new Pipeline<R & Add>([...this.names, m.name], [...this.problems, ...m.problems], schemas, async (base) => {
      const req = await run(base);
      return { ...req, ...(await m.run(req)) };
    });
  }

  /** whether the composition checks a bearer token */
  get authenticated(): boolean {
    return this.names.includes(authenticate.name);
  }
}

const isSchemas = (x: unknown): x is Schemas => typeof x === 'object' && x !== null;

// The kinds of route, one line each.
/** No token (health, openapi, local dev routes). */
export const publicRoute = <S extends Schemas = {}>(s: S = {} as S) => Pipeline.start(s).use(limitBodySize).use(parseInput(s));
/** A signed-in user, no tenant (me, notifications). */
export const userRoute = <S extends Schemas = {}>(s: S = {} as S) => Pipeline.start(s).use(authenticate).use(limitBodySize).use(parseInput(s));
/** A platform admin (issue 19: PLATFORM_ADMINS): 401 → 413 → 403 → 400. */
export const platformAdminRoute = <S extends Schemas = {}>(s: S = {} as S) =>
  Pipeline.start(s).use(authenticate).use(limitBodySize).use(platformAdmin).use(parseInput(s));
/** A member of the path's tenant with at least `role`. */
export const tenantRoute = <S extends Schemas = {}>(role: Role, s: S = {} as S) =>
  Pipeline.start(s).use(authenticate).use(limitBodySize).use(tenantMembership).use(parseInput(s)).use(requireRole(role));

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A documented response of the handler itself (2XX, 3XX, and the 4XX/5XX only it answers). Its
 * schema is a function: only the OpenAPI document (generated ahead of time) reads it, so a cold
 * start does not build it (issue 18, "Cold import, fourth pass").
 */
export interface ResponseDoc {
  description: string;
  schema?: () => z.ZodMiniType;
}

/** Response shapes several responses share: built on the first call, then the same instances. */
export const responseShapes = <T>(build: () => T): (() => T) => {
  let shapes: T | undefined;
  return () => (shapes ??= build());
};

export interface RouteSpec<R> {
  method: HttpMethod;
  path: string;
  summary: string;
  pipeline: Pipeline<R>;
  responses: Record<number, ResponseDoc>;
}

/** Declares a route: `METHOD /path`, its composition (publicRoute, userRoute, tenantRoute) and its docs. */
export function defineRoute<R>(key: `${HttpMethod} /${string}`, pipeline: Pipeline<R>, doc: { summary: string; responses: Record<number, ResponseDoc> }): RouteSpec<R> {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path, pipeline, summary: doc.summary, responses: doc.responses };
}

export const isRouteSpec = (x: unknown): x is RouteSpec<unknown> =>
  typeof x === 'object' && x !== null && 'pipeline' in x && x.pipeline instanceof Pipeline && 'path' in x && 'method' in x;

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const lowerHeaders = (h: Record<string, string | undefined> | undefined) =>
  Object.fromEntries(Object.entries(h ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k.toLowerCase(), v]])));

/** The Lambda handler of a route: the route's middlewares, then `fn`, then JSON out; errors become problems. */
export function apiHandler<R>(route: RouteSpec<R> | Pipeline<R>, fn: (req: R) => Promise<ApiResult> | ApiResult) {
  const pipeline = route instanceof Pipeline ? route : route.pipeline;
  const base = async (event: ApiEvent): Promise<APIGatewayProxyResultV2> => {
    const params = Object.fromEntries(Object.entries(event.pathParameters ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, v]])));
    const req = await pipeline.run({ event, params, headers: lowerHeaders(event.headers), deps: apiDeps() });
    const result = await fn(req);
    const headers: Record<string, string> = { ...(result.headers ?? {}) };
    if (result.body === undefined) return { statusCode: result.status, headers };
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(result.body),
    };
  };
  return middy<ApiEvent, APIGatewayProxyResultV2>(base).use(requestLogging).use(problemJson);
}

/** Query helpers shared by list routes. */
export const limitParam = (def = 25, max = 100) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(max)), def);
export const cursorParam = z.optional(z.string().check(z.minLength(1), z.maxLength(2048)));
