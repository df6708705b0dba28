/**
 * GET /openapi.json: the OpenAPI 3.1 document, generated from the route declarations
 * (shared/http/routes.ts) — the same zod schemas the handlers validate with, and every problem the
 * route's middlewares and handler can answer — never written by hand.
 */
import * as z from '../zod.js';
type ZodType = z.ZodMiniType;
import { routes } from '../wiring.js';
import type { RouteSpec } from './api.js';
import { routeSpecs } from './routes.js';
import { problemSchema } from './schemas.js';

const json = (schema: ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
const outJson = (schema: ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function queryParameters(schema: ZodType) {
  const js = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, sch]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: sch }));
}

/** The route's responses: the handler's own, and the problems of its middlewares (same status: one entry). */
function responsesOf(spec: RouteSpec<unknown>) {
  const descriptions = new Map<number, string[]>();
  const add = (status: number, description: string) => descriptions.set(status, [...(descriptions.get(status) ?? []), description]);
  for (const p of spec.pipeline.problems) add(p.status, p.description);
  for (const [code, res] of Object.entries(spec.responses)) if (Number(code) >= 400) add(Number(code), res.description);

  const responses: Record<string, unknown> = {};
  for (const [code, res] of Object.entries(spec.responses)) {
    if (Number(code) >= 400) continue;
    responses[code] = { description: res.description, ...(res.schema ? { content: { 'application/json': { schema: outJson(res.schema()) } } } : {}) };
  }
  for (const [status, texts] of [...descriptions].sort(([a], [b]) => a - b)) {
    responses[String(status)] = { description: texts.join('; '), content: { 'application/problem+json': { schema: PROBLEM_REF } } };
  }
  responses.default = { description: 'a problem (RFC 9457)', content: { 'application/problem+json': { schema: PROBLEM_REF } } };
  return responses;
}

const operationId = (method: string, path: string) =>
  `${method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`;

/** `serverUrl`: where this API is served (the request's own origin); relative to the document when unknown. */
export function buildOpenApi(opts: { serverUrl?: string } = {}) {
  const byKey = new Map(routeSpecs.map((s) => [`${s.method} ${s.path}`, s]));
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes.filter((r) => !r.localOnly)) {
    const key = `${r.method} ${r.path}`;
    const spec = byKey.get(key);
    if (!spec) throw new Error(`route ${key} has no declaration in shared/http/routes.ts`);
    const { body, query } = spec.pipeline.schemas;
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = {
      summary: spec.summary,
      operationId: operationId(r.method, r.path),
      security: spec.pipeline.authenticated ? [{ bearer: [] }] : [],
      parameters: [...pathParams, ...(query ? queryParameters(query) : [])],
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: json(body) } } } } : {}),
      responses: responsesOf(spec),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Operation Runs API',
      version: '1.0.0',
      description: 'One canonical, observable lifecycle for every background operation.',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [{ url: opts.serverUrl ?? '/', description: 'this deployment' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: outJson(problemSchema()) },
    },
    paths,
  };
}
