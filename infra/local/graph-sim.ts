/**
 * The simulated Microsoft Graph (§10): Graph's URL shapes for the six policy categories and groups,
 * `@odata.nextLink` paging, a client-credentials token endpoint per tenant, PATCH writes that a later
 * sync sees, injected latency and faults (429/503 with Retry-After, 403 on chosen items).
 *
 *   POST /{tenantId}/oauth2/v2.0/token                    client credentials → { access_token, expires_in }
 *   GET  /graph/{tenantId}/v1.0/{categoryPath}[/{id}[/assignments]]   PATCH …/{id}   POST …/{id}/assign
 *   GET  /graph/{tenantId}/v1.0/groups[?$search="displayName:x" | $filter=startswith(displayName,'x')]
 *   /_sim/…                                               test controls (faults, mutate, delete, delegated token)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CATEGORY_PATHS } from '../../shared/graph/categories.js';
import type { GraphSettings } from '../../shared/graph/client.js';
import { LOCAL_SIM_SECRET } from '../../shared/graph/secrets.js';
import type { Category } from '../../shared/runs/catalog.js';
import { DEFAULT_DATASETS, buildTenantData, seededRandom, type DatasetSize, type SimPolicy, type SimTenantData } from './graph-sim-data.js';

export interface SimFaults {
  /** probability that a Graph request answers 429 */
  throttle?: number;
  /** probability that a Graph request answers 503 */
  error?: number;
  /** the Retry-After (seconds) of injected 429/503 answers (default 1) */
  retryAfterSeconds?: number;
  /** object ids (policies or groups) that answer 403 */
  forbidden?: string[];
}

export interface GraphSimOptions {
  port?: number;
  host?: string;
  latencyMs?: number;
  faults?: SimFaults;
  /** tenants and their dataset sizes (default contoso 60/40, fabrikam 25/10) */
  tenants?: Record<string, DatasetSize>;
  pageSize?: number;
  tokenLifetimeSeconds?: number;
  /** seed of the fault dice, so a faulty run is repeatable */
  faultSeed?: number;
}

export interface SimRequest {
  method: string;
  tenantId: string | null;
  /** the path under the tenant's base URL (or the raw path), with its query */
  path: string;
  status: number;
}

export interface GraphSim {
  url: string;
  port: number;
  stop(): Promise<void>;
  settingsFor(tenantId: string): GraphSettings;
  setFaults(faults: SimFaults): void;
  setLatency(ms: number): void;
  /** answers 429 to the next `n` Graph requests (deterministic throttling for tests) */
  throttleNext(n: number, retryAfterSeconds?: number): void;
  addTenant(tenantId: string, size: DatasetSize): void;
  policies(tenantId: string): SimPolicy[];
  groups(tenantId: string): Array<{ id: string; displayName: string }>;
  mutatePolicy(tenantId: string, policyId: string, patch?: Record<string, unknown>): void;
  deletePolicy(tenantId: string, policyId: string): void;
  /** adds (or replaces) a policy with a chosen id, e.g. a composite Graph id such as `T_<guid>` */
  putPolicy(tenantId: string, policy: SimPolicy): void;
  deleteGroup(tenantId: string, groupId: string): void;
  delegatedToken(tenantId: string): string;
  readonly requests: SimRequest[];
  readonly tokensIssued: number;
}

export const SIM_CLIENT_SECRET = LOCAL_SIM_SECRET;
export const simClientId = (tenantId: string) => `${tenantId}-operation-runs-app`;

/** Graph settings that point a tenant at the sim (for the local runtime's seed); the secret is obviously fake. */
export function seedGraphSettings(simUrl: string, tenantId: string): GraphSettings {
  const base = simUrl.replace(/\/+$/, '');
  return {
    baseUrl: `${base}/graph/${encodeURIComponent(tenantId)}/v1.0`,
    tokenUrl: `${base}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    clientId: simClientId(tenantId),
    secretRef: 'local:graph-sim',
  };
}

/** `throttle=0.1,error=0.02,forbidden=id1|id2,retryAfter=1` (GRAPH_SIM_FAULTS). */
export function parseFaults(spec: string | undefined): SimFaults {
  const faults: SimFaults = {};
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v = ''] = part.split('=').map((s) => s.trim());
    if (k === 'throttle' || k === 'error') faults[k] = clampProbability(Number(v));
    else if (k === 'retryAfter' || k === 'retryAfterSeconds') faults.retryAfterSeconds = Math.max(0, Number(v) || 0);
    else if (k === 'forbidden') faults.forbidden = v.split('|').filter(Boolean);
    else throw new Error(`unknown GRAPH_SIM_FAULTS entry "${k}" (known: throttle, error, retryAfter, forbidden)`);
  }
  return faults;
}

const clampProbability = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);

const PATH_TO_CATEGORY = new Map(Object.entries(CATEGORY_PATHS).map(([c, p]) => [p, c as Category]));

class HttpError extends Error {
  constructor(readonly status: number, readonly graphCode: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export async function startGraphSim(opts: GraphSimOptions = {}): Promise<GraphSim> {
  let latencyMs = opts.latencyMs ?? numberEnv('GRAPH_SIM_LATENCY_MS', 10);
  let faults: SimFaults = opts.faults ?? parseFaults(process.env.GRAPH_SIM_FAULTS);
  let throttleBudget = 0;
  let throttleBudgetRetryAfter = 0;
  const pageSize = opts.pageSize ?? 10;
  const tokenLifetime = opts.tokenLifetimeSeconds ?? 3599;
  const dice = seededRandom(opts.faultSeed ?? 20261126);
  const tenants = new Map<string, SimTenantData>();
  for (const [t, size] of Object.entries(opts.tenants ?? DEFAULT_DATASETS)) tenants.set(t, buildTenantData(t, size));
  const tokens = new Map<string, { tenantId: string; expiresAt: number; delegated: boolean }>();
  const requests: SimRequest[] = [];
  let tokenCounter = 0;

  const tenantData = (tenantId: string) => {
    const data = tenants.get(tenantId);
    if (!data) throw new HttpError(404, 'Request_ResourceNotFound', `tenant ${tenantId} is not known to the simulated Graph`);
    return data;
  };

  const issueToken = (tenantId: string, delegated: boolean) => {
    const token = `sim-${delegated ? 'delegated' : 'app'}.${tenantId}.${++tokenCounter}`;
    tokens.set(token, { tenantId, expiresAt: Date.now() + tokenLifetime * 1000, delegated });
    return token;
  };

  function handleToken(tenantId: string, body: string, res: ServerResponse) {
    const form = new URLSearchParams(body);
    tenantData(tenantId);
    if (form.get('grant_type') !== 'client_credentials') throw new HttpError(400, 'unsupported_grant_type', 'only client_credentials is supported');
    if (form.get('client_id') !== simClientId(tenantId) || form.get('client_secret') !== SIM_CLIENT_SECRET) {
      send(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
      return;
    }
    send(res, 200, { token_type: 'Bearer', expires_in: tokenLifetime, ext_expires_in: tokenLifetime, access_token: issueToken(tenantId, false) });
  }

  function authorize(req: IncomingMessage, tenantId: string, allowDelegated: boolean) {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^Bearer\s+/i, '');
    const t = tokens.get(token);
    if (!t || t.tenantId !== tenantId || t.expiresAt < Date.now() || (t.delegated && !allowDelegated)) {
      throw new HttpError(401, 'InvalidAuthenticationToken', 'Access token is empty, expired or not valid for this tenant.');
    }
  }

  function injectFaults(path: string) {
    for (const id of faults.forbidden ?? []) {
      if (path.split(/[/?]/).includes(id)) throw new HttpError(403, 'Forbidden', `Insufficient privileges to complete the operation on ${id}.`);
    }
    if (throttleBudget > 0) {
      throttleBudget--;
      throw new HttpError(429, 'TooManyRequests', 'Too many requests.', { 'Retry-After': String(throttleBudgetRetryAfter) });
    }
    const retryAfter = { 'Retry-After': String(faults.retryAfterSeconds ?? 1) };
    if (faults.throttle && dice() < faults.throttle) throw new HttpError(429, 'TooManyRequests', 'Too many requests.', retryAfter);
    if (faults.error && dice() < faults.error) throw new HttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', retryAfter);
  }

  function page<T extends { id: string }>(items: T[], url: URL, baseUrl: string, render: (x: T) => unknown) {
    const top = Math.min(999, Math.max(1, Number(url.searchParams.get('$top')) || pageSize));
    const after = url.searchParams.get('$skiptoken');
    const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    // Keyset paging (after the last id seen), so a deletion between pages skips nothing.
    const start = after ? sorted.findIndex((x) => x.id > Buffer.from(after, 'base64url').toString()) : 0;
    const slice = start < 0 ? [] : sorted.slice(start, start + top);
    const more = start >= 0 && start + top < sorted.length;
    const next = new URL(url.toString().replace(url.origin, baseUrl.slice(0, baseUrl.indexOf('/graph/'))));
    next.searchParams.set('$skiptoken', Buffer.from(slice[slice.length - 1]?.id ?? '').toString('base64url'));
    return { '@odata.context': `${baseUrl}/$metadata`, value: slice.map(render), ...(more ? { '@odata.nextLink': next.toString() } : {}) };
  }

  async function handleGraph(req: IncomingMessage, res: ServerResponse, tenantId: string, rest: string, url: URL, body: string, baseUrl: string) {
    const data = tenantData(tenantId);
    const segments = rest.split('/').filter(Boolean).map(decodeURIComponent);
    if (segments[0] === 'groups' && segments.length === 1 && req.method === 'GET') {
      const search = url.searchParams.get('$search');
      const filter = url.searchParams.get('$filter');
      authorize(req, tenantId, Boolean(search || filter));
      injectFaults(rest);
      let groups = [...data.groups.values()];
      if (search) {
        if (String(req.headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
          throw new HttpError(400, 'Request_UnsupportedQuery', "$search requires the header 'ConsistencyLevel: eventual'.");
        }
        const m = /^"displayName:(.*)"$/s.exec(search);
        if (!m) throw new HttpError(400, 'Request_UnsupportedQuery', 'only "displayName:<text>" searches are supported');
        const q = m[1].replace(/\\(.)/g, '$1').toLowerCase();
        groups = groups.filter((g) => g.displayName.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || g.displayName.toLowerCase().startsWith(q));
      } else if (filter) {
        const m = /^startswith\(displayName,\s*'((?:[^']|'')*)'\)$/.exec(filter);
        if (!m) throw new HttpError(400, 'Request_UnsupportedQuery', 'only startswith(displayName,…) filters are supported');
        const q = m[1].replace(/''/g, "'").toLowerCase();
        groups = groups.filter((g) => g.displayName.toLowerCase().startsWith(q));
      }
      return send(res, 200, page(groups, url, baseUrl, (g) => g));
    }
    authorize(req, tenantId, false);
    // Category paths are two segments: deviceManagement/deviceConfigurations.
    const category = PATH_TO_CATEGORY.get(segments.slice(0, 2).join('/'));
    if (!category) throw new HttpError(404, 'ResourceNotFound', `no resource at ${rest.split('?')[0]}`);
    injectFaults(rest);
    const [id, sub] = segments.slice(2);
    const inCategory = [...data.policies.values()].filter((p) => p.category === category);
    if (!id) {
      if (req.method !== 'GET') throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
      return send(res, 200, page(inCategory, url, baseUrl, (p) => p.content));
    }
    const policy = data.policies.get(id);
    if (!policy || policy.category !== category) throw new HttpError(404, 'ResourceNotFound', `Resource '${id}' does not exist.`);
    if (!sub && req.method === 'GET') return send(res, 200, { '@odata.context': `${baseUrl}/$metadata#entity`, ...policy.content });
    if (!sub && req.method === 'PATCH') {
      const patch = parseBody(body);
      const { id: _i, ...writable } = patch;
      bump(policy, writable);
      res.writeHead(204).end();
      return;
    }
    if (sub === 'assignments' && req.method === 'GET') return send(res, 200, { value: policy.assignments });
    if (sub === 'assign' && req.method === 'POST') {
      const assignments = (parseBody(body).assignments ?? []) as Array<{ target: Record<string, unknown> }>;
      policy.assignments = assignments.map((a, k) => ({ id: `${policy.id}_${k}`, target: a.target }));
      bump(policy, {});
      send(res, 200, { value: policy.assignments });
      return;
    }
    throw new HttpError(405, 'MethodNotAllowed', 'method not allowed');
  }

  function bump(policy: SimPolicy, patch: Record<string, unknown>) {
    policy.content = { ...policy.content, ...patch, lastModifiedDateTime: new Date().toISOString(), version: Number(policy.content.version ?? 1) + 1 };
  }

  function handleControl(req: IncomingMessage, res: ServerResponse, segments: string[], body: string) {
    // /_sim/faults · /_sim/{tenant}/policies/{id} (POST mutate, DELETE) · /_sim/{tenant}/delegated-token
    if (segments[0] === 'faults' && req.method === 'POST') {
      sim.setFaults(parseBody(body) as SimFaults);
      return send(res, 200, faults);
    }
    const [tenantId, what, id] = segments;
    if (what === 'delegated-token' && req.method === 'POST') return send(res, 200, { access_token: sim.delegatedToken(tenantId) });
    if (what === 'policies' && id && req.method === 'POST') {
      sim.mutatePolicy(tenantId, id, parseBody(body));
      return send(res, 200, tenantData(tenantId).policies.get(id)!.content);
    }
    if (what === 'policies' && id && req.method === 'DELETE') {
      sim.deletePolicy(tenantId, id);
      res.writeHead(204).end();
      return;
    }
    throw new HttpError(404, 'NotFound', 'unknown control');
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: SimRequest = { method: req.method ?? 'GET', tenantId: null, path: url.pathname + url.search, status: 0 };
      res.on('finish', () => { entry.status = res.statusCode; });
      try {
        const parts = url.pathname.split('/').filter(Boolean);
        if (parts[0] === '_sim') return handleControl(req, res, parts.slice(1).map(decodeURIComponent), body);
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        if (parts.length === 4 && parts[1] === 'oauth2' && parts[3] === 'token' && req.method === 'POST') {
          entry.tenantId = decodeURIComponent(parts[0]);
          requests.push(entry);
          return handleToken(entry.tenantId, body, res);
        }
        if (parts[0] === 'graph' && parts[2] === 'v1.0') {
          entry.tenantId = decodeURIComponent(parts[1]);
          const prefix = `/graph/${parts[1]}/v1.0/`;
          entry.path = url.pathname.slice(prefix.length) + url.search;
          requests.push(entry);
          const baseUrl = `${sim.url}/graph/${parts[1]}/v1.0`;
          return await handleGraph(req, res, entry.tenantId, url.pathname.slice(prefix.length), url, body, baseUrl);
        }
        throw new HttpError(404, 'NotFound', `no route for ${url.pathname}`);
      } catch (err) {
        if (err instanceof HttpError) {
          res.writeHead(err.status, { 'Content-Type': 'application/json', ...err.headers });
          res.end(JSON.stringify({ error: { code: err.graphCode, message: err.message } }));
        } else {
          send(res, 500, { error: { code: 'InternalServerError', message: (err as Error).message } });
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? numberEnv('GRAPH_SIM_PORT', 3001), opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const sim: GraphSim = {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    get tokensIssued() { return tokenCounter; },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
    settingsFor: (tenantId) => seedGraphSettings(sim.url, tenantId),
    setFaults: (f) => { faults = { ...f }; },
    setLatency: (ms) => { latencyMs = ms; },
    throttleNext: (n, retryAfterSeconds = 0) => { throttleBudget = n; throttleBudgetRetryAfter = retryAfterSeconds; },
    addTenant: (tenantId, size) => { tenants.set(tenantId, buildTenantData(tenantId, size)); },
    policies: (tenantId) => [...tenantData(tenantId).policies.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    groups: (tenantId) => [...tenantData(tenantId).groups.values()].map(({ id, displayName }) => ({ id, displayName })),
    mutatePolicy: (tenantId, policyId, patch = { description: `changed at ${new Date().toISOString()}` }) => {
      const p = tenantData(tenantId).policies.get(policyId);
      if (!p) throw new HttpError(404, 'ResourceNotFound', `no policy ${policyId}`);
      bump(p, patch);
    },
    deletePolicy: (tenantId, policyId) => { tenantData(tenantId).policies.delete(policyId); },
    putPolicy: (tenantId, policy) => { tenantData(tenantId).policies.set(policy.id, structuredClone(policy)); },
    deleteGroup: (tenantId, groupId) => { tenantData(tenantId).groups.delete(groupId); },
    delegatedToken: (tenantId) => { tenantData(tenantId); return issueToken(tenantId, true); },
  };
  return sim;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parseBody(body: string): Record<string, any> {
  if (!body) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new HttpError(400, 'BadRequest', 'the body is not JSON');
  }
}

function numberEnv(name: string, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(n) ? n : fallback;
}
