/**
 * GET /openapi.json: the OpenAPI 3.1 document, generated from the wiring's routes and the same zod
 * schemas the handlers validate with (shared/http/schemas.ts) — never written by hand.
 */
import { z, type ZodType } from 'zod';
import { routes } from '../wiring.js';
import * as s from './schemas.js';

export interface RouteDoc {
  summary: string;
  body?: ZodType;
  query?: ZodType;
  responses: Record<number, { description: string; schema?: ZodType }>;
}

/** Route documentation keyed by `METHOD path`; routes without an entry get a generic one. */
export const routeDocs: Record<string, RouteDoc> = {
  'GET /health': { summary: 'Liveness', responses: { 200: { description: 'ok', schema: z.object({ status: z.literal('ok') }) } } },
  'GET /openapi.json': { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } },
  'GET /me': { summary: 'The caller and their memberships', responses: { 200: { description: 'ok', schema: s.meResponse } } },
  'GET /operation-types': { summary: 'The operation catalog with JSON Schemas of each input', responses: { 200: { description: 'ok' } } },
  'POST /tenants/{tenantId}/runs': {
    summary: 'Start an operation run',
    body: s.startRunBody,
    responses: {
      202: { description: 'a new run was queued', schema: s.startRunResponse },
      200: { description: 'an active run with the same key exists (deduplicated)', schema: s.startRunResponse },
      422: { description: 'a referenced record does not exist or a precondition does not hold', schema: s.problemSchema },
      503: { description: 'the run was written but could not be enqueued', schema: s.problemSchema },
    },
  },
  'GET /tenants/{tenantId}/runs': { summary: 'List runs, newest first', query: s.listRunsQuery, responses: { 200: { description: 'ok', schema: s.runListResponse } } },
  'GET /tenants/{tenantId}/runs/{runId}': { summary: 'One run (ETag, If-None-Match → 304)', responses: { 200: { description: 'ok', schema: s.runSchema }, 304: { description: 'not modified' } } },
  'POST /tenants/{tenantId}/runs/{runId}/cancel': {
    summary: 'Cancel a run',
    responses: { 202: { description: 'cancelled or cancel requested', schema: z.object({ run: s.runSchema }) }, 409: { description: 'already completed', schema: s.problemSchema } },
  },
};

/** Later modules (domain endpoints, notifications) add their docs here. */
export function documentRoute(key: string, doc: RouteDoc) {
  routeDocs[key] = doc;
}

const json = (schema: ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
const outJson = (schema: ZodType) => z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });

function queryParameters(schema: ZodType) {
  const js = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, sch]) => ({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: sch }));
}

export function buildOpenApi() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes.filter((r) => !r.localOnly)) {
    const key = `${r.method} ${r.path}`;
    const doc = routeDocs[key] ?? { summary: key, responses: { 200: { description: 'ok' } } };
    const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {};
    for (const [code, res] of Object.entries(doc.responses)) {
      responses[code] = { description: res.description, ...(res.schema ? { content: { 'application/json': { schema: outJson(res.schema) } } } : {}) };
    }
    responses.default = { description: 'a problem (RFC 9457)', content: { 'application/problem+json': { schema: outJson(s.problemSchema) } } };
    paths[r.path] ??= {};
    paths[r.path][r.method.toLowerCase()] = {
      summary: doc.summary,
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string) => (c ? c.toUpperCase() : ''))}`,
      ...(r.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      parameters: [...pathParams, ...(doc.query ? queryParameters(doc.query) : [])],
      ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: json(doc.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Operation Runs API', version: '1.0.0', description: 'One canonical, observable lifecycle for every background operation.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    paths,
  };
}
