/** Calls a route's real handler (the middy stack) with an API Gateway v2 event, as the JWT authorizer would pass it. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../../infra/local/lambda-context.js';

type Handler = (event: unknown, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;
const load = async (entry: string): Promise<Handler> => (await import(/* @vite-ignore */ pathToFileURL(path.resolve(entry)).href)).handler;

export interface Call { user?: string; body?: unknown; query?: Record<string, string>; headers?: Record<string, string> }

/** Calls the handler of `routePath` for `path`, e.g. callRoute('GET', '/tenants/{tenantId}/backup-sets', { tenantId: 'contoso' }). */
export async function callRoute(method: string, routePath: string, params: Record<string, string>, opts: Call = {}) {
  const { routes } = await import('../../shared/wiring.js');
  const route = routes.find((r) => r.method === method && r.path === routePath)!;
  const handler = await load(route.entry);
  const path = routePath.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n]));
  const res = await handler({
    version: '2.0', routeKey: `${method} ${routePath}`, rawPath: path, rawQueryString: '',
    headers: { 'content-type': 'application/json', ...opts.headers },
    queryStringParameters: opts.query, pathParameters: params,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body), isBase64Encoded: false,
    requestContext: { requestId: 'test', routeKey: `${method} ${routePath}`, http: { method, path }, ...(opts.user ? { authorizer: { jwt: { claims: { sub: opts.user, name: opts.user }, scopes: [] } } } : {}) },
  }, lambdaContext(route.entry));
  return { status: res.statusCode!, headers: (res.headers ?? {}) as Record<string, string>, body: res.body ? JSON.parse(res.body) : undefined };
}
