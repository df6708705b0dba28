/**
 * The local API Gateway: turns each HTTP request into an API Gateway HTTP API (payload v2) event,
 * verifies the JWT like the JWT authorizer does, and calls the route's real handler from the wiring.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { routes as allRoutes, type RouteDef } from '../../shared/wiring.js';
import { HttpProblem } from '../../shared/http/problem.js';
import { problemResponse } from '../../shared/http/api.js';
import { verifyLocalToken } from './jwt.js';
import { lambdaContext } from './lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  names: string[];
  load: () => Promise<Handler>;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const MAX_READ = 1024 * 1024; // read at most 1 MiB; the handler refuses anything over 64 KiB with 413

export function compileRoutes(defs: RouteDef[] = allRoutes): CompiledRoute[] {
  return defs
    .filter((r) => existsSync(path.join(ROOT, r.entry)))
    .map((def) => {
      const names: string[] = [];
      const pattern = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      });
      let cached: Handler | undefined;
      return {
        def,
        regex: new RegExp(`^${pattern}$`),
        names,
        load: async () => (cached ??= (await import(pathToFileURL(path.join(ROOT, def.entry)).href)).handler as Handler),
      };
    });
}

export function toApiGatewayEvent(req: http.IncomingMessage, url: URL, route: CompiledRoute, params: Record<string, string>, body: string | undefined, claims: Record<string, unknown> | null): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${route.def.method} ${route.def.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000', apiId: 'local', domainName: url.host, domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      requestId: randomUUID(), routeKey: `${route.def.method} ${route.def.path}`, stage: '$default', time: new Date(now).toISOString(), timeEpoch: now,
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    } as never,
  };
}

function send(res: http.ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ?? '');
}

const sendProblem = (res: http.ServerResponse, p: HttpProblem) => send(res, problemResponse(p) as APIGatewayProxyStructuredResultV2);

async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_READ) chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  // Over the read cap: hand the handler a body that is certainly over its limit, so it answers 413.
  return size > MAX_READ ? 'x'.repeat(MAX_READ) : Buffer.concat(chunks).toString('utf8');
}

export type Fallback = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => Promise<boolean>;

/** An http.RequestListener serving the wiring's routes; `fallback` may serve other paths (the console). */
export function gatewayListener(compiled: CompiledRoute[], opts: { fallback?: Fallback; log?: (line: string) => void } = {}) {
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    try {
      const matches = compiled.map((r) => ({ r, m: r.regex.exec(url.pathname) })).filter((x) => x.m);
      const hit = matches.find((x) => x.r.def.method === req.method);
      if (!hit) {
        if (opts.fallback && (await opts.fallback(req, res, url))) return;
        await readBody(req);
        if (matches.length) return sendProblem(res, new HttpProblem(405, `${req.method} is not allowed on ${url.pathname}.`));
        return sendProblem(res, new HttpProblem(404, `No route for ${req.method} ${url.pathname}.`));
      }
      const params: Record<string, string> = {};
      hit.r.names.forEach((n, i) => { params[n] = decodeURIComponent(hit.m![i + 1]); });
      const body = await readBody(req);
      // Like API Gateway's JWT authorizer: a route that needs a token gets claims only from a valid one.
      const claims = hit.r.def.auth ? await verifyLocalToken(req.headers.authorization) : null;
      if (hit.r.def.auth && !claims) {
        return sendProblem(res, new HttpProblem(401, 'A valid bearer token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } }));
      }
      const handler = await hit.r.load();
      const result = await handler(toApiGatewayEvent(req, url, hit.r, params, body, claims), lambdaContext(hit.r.def.entry, hit.r.def.timeoutSeconds ?? 29));
      send(res, result);
      opts.log?.(`${req.method} ${url.pathname} → ${result.statusCode} (${Date.now() - started} ms)`);
    } catch (err) {
      opts.log?.(`${req.method} ${url.pathname} failed: ${(err as Error).message}`);
      if (!res.headersSent) sendProblem(res, new HttpProblem(500, 'Something went wrong on our side.'));
    }
  };
}
