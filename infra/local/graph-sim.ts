/**
 * The simulated Microsoft Graph (§10, issue 13 §7): strict and faithful to Microsoft's published path
 * trees. It serves exactly the paths of graph-paths.json (a copy of ../shared/graph-paths.json, from
 * Microsoft's generated SDKs) under their API version and answers anything else 400 with Graph's error
 * body ("Resource not found for the segment '…'"); relationships come only when `$expand`ed or read by
 * their own path (and `$expand=definitionValues` returns [] as reported of real Graph); lists page with
 * absolute `@odata.nextLink`s; a client-credentials token endpoint per tenant; writes a later sync
 * sees; injected latency and faults (429/503 with Retry-After, 403 on chosen items, whole categories
 * unavailable).
 *
 *   POST /{tenantId}/oauth2/v2.0/token                       client credentials → { access_token, expires_in }: a client
 *        secret, or a certificate's client_assertion (RS256/PS256 JWT verified with jose against a certificate
 *        registered for the tenant: x5t#S256, signature, aud = the token endpoint, iss = sub = client id,
 *        exp/nbf); anything else answers Entra's error body (invalid_client, AADSTS7000215 / 700027 / 700024)
 *   POST /graph/{tenantId}/{v1.0|beta}/$batch                JSON batching: up to 20 sub-requests, each through
 *        the same strict path checks, faults and limits, each with its own status (and Retry-After on 429)
 *   *    /graph/{tenantId}/{v1.0|beta}/{path}[?query]        a graph-paths.json path of that version, e.g.
 *        GET   …/beta/deviceManagement/configurationPolicies/{id}?$expand=settings
 *        GET   …/beta/deviceManagement/groupPolicyConfigurations/{id}/definitionValues?$expand=definition
 *        GET   …/beta/deviceAppManagement/iosManagedAppProtections/{id}?$expand=apps,assignments
 *        PATCH …/{collection}/{id}   POST …/{id}/assign   POST …/{id}/updateDefinitionValues   …
 *        GET   …/v1.0/groups[?$search="displayName:x" (ConsistencyLevel: eventual) | $filter=startswith(displayName,'x')]
 *   GET  /graph/{tenantId}/v1.0/organization                 the tenant's organization (GRAPH_PATHS_SUPPLEMENT)
 *   /_sim/…                                                  test controls (faults, mutate, delete, delegated token, credentials)
 *
 * Tenants (issue 19): a tenant id the simulator has not heard of gets a deterministic small dataset
 * (NEW_TENANT_SIZE, seeded by its id) on first use, so a tenant created through the API can be
 * connected at once. Credentials: a tenant accepts the client secret `local-sim-secret` with any client
 * id — until credentials are registered for it (`acceptCredential`, POST /_sim/{tenant}/credentials
 * { clientId, secret }); from then on it accepts exactly those (a wrong or unknown secret → 401
 * invalid_client, as Entra ID answers).
 *
 * A tenant's Graph root (tenant config `graph.graphRoot`) is `{sim}/graph/{tenantId}`.
 *
 * Intune's per-tenant limit is enforced: at most `tenantLimit.requests` Graph requests per
 * `tenantLimit.windowMs` per app per tenant (default 1,000 per 20 s; each batch sub-request counts,
 * the $batch envelope does not); past it a request answers 429 with the Retry-After that frees a slot.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { APP_SUBTYPES, CATEGORY_API, type GraphVersion } from '../../shared/graph/api-map.js';
import type { GraphSettings } from '../../shared/graph/client.js';
import { LOCAL_SIM_SECRET } from '../../shared/graph/secrets.js';
import { CATEGORIES, type Category } from '../../shared/runs/catalog.js';
import { DEFAULT_DATASETS, buildTenantData, guid, seededRandom, type DatasetSize, type SimPolicy, type SimTenantData } from './graph-sim-data.js';

/** graph-paths.json: the path templates per API version ({id} = one key segment). */
export const GRAPH_PATHS: { source: string; versions: Record<GraphVersion, string[]> } = JSON.parse(readFileSync(new URL('./graph-paths.json', import.meta.url), 'utf8'));

/**
 * Paths outside the Intune path trees of graph-paths.json that the product reads, per version:
 * `organization` (v1.0, "List organization", the connection check of issue 19). The simulator serves
 * them and test/unit/graph-contract.test.ts accepts them next to the trees.
 */
export const GRAPH_PATHS_SUPPLEMENT: Record<GraphVersion, string[]> = { 'v1.0': ['organization'], beta: [] };

/** The dataset a tenant id the simulator has not heard of gets on first use (deterministic, seeded by the id). */
export const NEW_TENANT_SIZE: DatasetSize = { policies: 12, groups: 6 };

export interface SimFaults {
  /** probability that a Graph request answers 429 */
  throttle?: number;
  /** probability that a Graph request answers 503 */
  error?: number;
  /** the Retry-After (seconds) of injected 429/503 answers (default 1) */
  retryAfterSeconds?: number;
  /** object ids (policies or groups) that answer 403 */
  forbidden?: string[];
  /** categories whose every path answers 400 (default) or 403 (`configurationPolicies:403`), as an unlicensed or unsupported area does */
  unavailable?: Array<{ category: Category; status: 400 | 403 }>;
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
  /** Intune's per-tenant, per-app request limit (default 1,000 per 20 s, GRAPH_SIM_TENANT_LIMIT="1000/20"); null turns it off */
  tenantLimit?: TenantLimit | null;
  /** PEM certificates an app of each tenant is registered with (certificate credentials) */
  certificates?: Record<string, string[]>;
}

export interface TenantLimit {
  requests: number;
  windowMs: number;
}

/** Graph JSON batching: at most 20 requests per $batch (learn.microsoft.com/graph/json-batching). */
export const BATCH_MAX_REQUESTS = 20;
export const DEFAULT_TENANT_LIMIT: TenantLimit = { requests: 1000, windowMs: 20_000 };

export interface SimRequest {
  method: string;
  tenantId: string | null;
  /** the API version of a Graph request (null for the token endpoint) */
  version: GraphVersion | null;
  /** set on a sub-request of a $batch (the envelope itself is logged with path `$batch`) */
  inBatch?: boolean;
  /** the path under the version (or the raw path), with its query */
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
  /** from now on the tenant's token endpoint accepts this client id + secret (and only registered ones) */
  acceptCredential(tenantId: string, clientId: string, secret: string): void;
  policies(tenantId: string): SimPolicy[];
  groups(tenantId: string): Array<{ id: string; displayName: string }>;
  mutatePolicy(tenantId: string, policyId: string, patch?: Record<string, unknown>): void;
  deletePolicy(tenantId: string, policyId: string): void;
  /** adds (or replaces) a policy with a chosen id, e.g. a composite Graph id such as `T_<guid>` */
  putPolicy(tenantId: string, policy: SimPolicy): void;
  deleteGroup(tenantId: string, groupId: string): void;
  delegatedToken(tenantId: string): string;
  /** registers a PEM certificate for the tenant's app: its client assertions are then accepted */
  registerCertificate(tenantId: string, certificatePem: string): void;
  setTenantLimit(limit: TenantLimit | null): void;
  readonly requests: SimRequest[];
  readonly tokensIssued: number;
}

export const SIM_CLIENT_SECRET = LOCAL_SIM_SECRET;
export const simClientId = (tenantId: string) => `${tenantId}-operation-runs-app`;

/** Graph settings that point a tenant at the sim (for the local runtime's seed); the secret is obviously fake. */
export function seedGraphSettings(simUrl: string, tenantId: string): GraphSettings {
  const base = simUrl.replace(/\/+$/, '');
  return {
    graphRoot: `${base}/graph/${encodeURIComponent(tenantId)}`,
    tokenUrl: `${base}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
    clientId: simClientId(tenantId),
    secretRef: 'local:graph-sim',
  };
}

/** `throttle=0.1,error=0.02,forbidden=id1|id2,retryAfter=1,unavailable=configurationPolicies|managedAppPolicies:403` (GRAPH_SIM_FAULTS). */
export function parseFaults(spec: string | undefined): SimFaults {
  const faults: SimFaults = {};
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v = ''] = part.split('=').map((s) => s.trim());
    if (k === 'throttle' || k === 'error') faults[k] = clampProbability(Number(v));
    else if (k === 'retryAfter' || k === 'retryAfterSeconds') faults.retryAfterSeconds = Math.max(0, Number(v) || 0);
    else if (k === 'forbidden') faults.forbidden = v.split('|').filter(Boolean);
    else if (k === 'unavailable') {
      faults.unavailable = v.split('|').filter(Boolean).map((entry) => {
        const [category, status = '400'] = entry.split(':');
        if (!(CATEGORIES as readonly string[]).includes(category)) throw new Error(`GRAPH_SIM_FAULTS unavailable=${category}: not a category (${CATEGORIES.join(', ')})`);
        if (status !== '400' && status !== '403') throw new Error(`GRAPH_SIM_FAULTS unavailable=${entry}: status must be 400 or 403`);
        return { category: category as Category, status: Number(status) as 400 | 403 };
      });
    } else throw new Error(`unknown GRAPH_SIM_FAULTS entry "${k}" (known: throttle, error, retryAfter, forbidden, unavailable)`);
  }
  return faults;
}

const clampProbability = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);

class HttpError extends Error {
  constructor(readonly status: number, readonly graphCode: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

/** An answer of the token endpoint in Entra's shape ({ error, error_description, error_codes, … }), not Graph's. */
class TokenError extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(String(body.error_description));
  }
}

/** `1000/20`: requests per window in seconds (GRAPH_SIM_TENANT_LIMIT); `off` turns the limit off. */
export function parseTenantLimit(spec: string | undefined): TenantLimit | null {
  if (!spec) return DEFAULT_TENANT_LIMIT;
  if (spec === 'off') return null;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(spec.trim());
  if (!m) throw new Error(`GRAPH_SIM_TENANT_LIMIT=${spec}: expected <requests>/<seconds> or off`);
  return { requests: Number(m[1]), windowMs: Number(m[2]) * 1000 };
}

/** Graph's error envelope (concepts/errors.md): error { code, message, innerError { date, request-id, client-request-id } }. */
function graphErrorAnswer(err: unknown, clientRequestId: string) {
  const status = err instanceof HttpError ? err.status : 500;
  const code = err instanceof HttpError ? err.graphCode : 'InternalServerError';
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'request-id': randomUUID(), 'client-request-id': clientRequestId, ...(err instanceof HttpError ? err.headers : {}) },
    body: { error: { code, message: (err as Error).message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': clientRequestId } } },
  };
}

/** A ServerResponse stand-in that keeps what a sub-request's handler wrote. */
function captureResponse() {
  const out = { status: 200, headers: {} as Record<string, string>, body: '' };
  const res = {
    statusCode: 200,
    writeHead(status: number, headers: Record<string, string> = {}) { out.status = status; res.statusCode = status; Object.assign(out.headers, headers); return res; },
    end(body?: string) { out.body = body ?? ''; return res; },
  };
  return { res: res as unknown as ServerResponse, out };
}

/** Graph's 400 for a path outside the tree (GRAPH-PATHS.md "Unknown segment"). */
const segmentNotFound = (segment: string) => new HttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
/** Graph's 400 for a declared but unrouted path or verb (GRAPH-PATHS.md "Declared but unrouted"). */
const noRoute = (method: string, path: string) => new HttpError(400, 'No method match route template', `No OData route exists that match template ~/singleton/navigation/key/navigation with http verb ${method} for request /${path}.`);

/** Which policies a collection path holds: a category's own collection, or an app-policy subtype collection. */
interface CollectionInfo {
  category: Category;
  odataType: string | null;
  /** relationships its items may $expand (assignments included) */
  expandable: string[];
}

function collections(): Map<string, CollectionInfo> {
  const m = new Map<string, CollectionInfo>();
  const rel: Record<Category, string[]> = {
    deviceConfigurations: ['assignments'],
    deviceCompliancePolicies: ['assignments', 'scheduledActionsForRule'],
    configurationPolicies: ['assignments', 'settings'],
    groupPolicyConfigurations: ['assignments', 'definitionValues'],
    managedAppPolicies: [],
    deviceEnrollmentConfigurations: ['assignments'],
  };
  for (const c of CATEGORIES) m.set(CATEGORY_API[c].collection, { category: c, odataType: null, expandable: rel[c] });
  for (const s of APP_SUBTYPES) m.set(s.collection, { category: 'managedAppPolicies', odataType: s.odataType, expandable: s.expand });
  return m;
}

/** `a,b($expand=c),d` → [{name:'a'}, {name:'b', nested:'c'}, {name:'d'}] (top-level commas only). */
export function parseExpand(raw: string | null): Array<{ name: string; nested: string | null }> {
  if (!raw) return [];
  const out: Array<{ name: string; nested: string | null }> = [];
  let depth = 0;
  let cur = '';
  for (const ch of raw + ',') {
    if (ch === ',' && depth === 0) {
      const t = cur.trim();
      if (t) {
        const m = /^([A-Za-z]+)(?:\(\$expand=([^)]*)\))?$/.exec(t);
        if (!m) throw new HttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: syntax error at '${t}'.`);
        out.push({ name: m[1], nested: m[2] ?? null });
      }
      cur = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    cur += ch;
  }
  return out;
}

const SETTINGS_PAGE = 25;

export async function startGraphSim(opts: GraphSimOptions = {}): Promise<GraphSim> {
  let latencyMs = opts.latencyMs ?? numberEnv('GRAPH_SIM_LATENCY_MS', 10);
  let faults: SimFaults = opts.faults ?? parseFaults(process.env.GRAPH_SIM_FAULTS);
  let throttleBudget = 0;
  let throttleBudgetRetryAfter = 0;
  const pageSize = opts.pageSize ?? 10;
  const tokenLifetime = opts.tokenLifetimeSeconds ?? 3599;
  const dice = seededRandom(opts.faultSeed ?? 20261126);
  const idDice = seededRandom(7);
  const tenants = new Map<string, SimTenantData>();
  for (const [t, size] of Object.entries(opts.tenants ?? DEFAULT_DATASETS)) tenants.set(t, buildTenantData(t, size));
  const tokens = new Map<string, { tenantId: string; expiresAt: number; delegated: boolean }>();
  const certificates = new Map<string, X509Certificate[]>();
  for (const [t, pems] of Object.entries(opts.certificates ?? {})) certificates.set(t, pems.map((p) => new X509Certificate(p)));
  let tenantLimit: TenantLimit | null = opts.tenantLimit === undefined ? parseTenantLimit(process.env.GRAPH_SIM_TENANT_LIMIT) : opts.tenantLimit;
  const admitted = new Map<string, number[]>();
  const requests: SimRequest[] = [];
  let tokenCounter = 0;
  const COLLECTIONS = collections();
  const TEMPLATES: Record<GraphVersion, string[][]> = {
    'v1.0': [...GRAPH_PATHS.versions['v1.0'], ...GRAPH_PATHS_SUPPLEMENT['v1.0']].map((t) => t.split('/')),
    beta: [...GRAPH_PATHS.versions.beta, ...GRAPH_PATHS_SUPPLEMENT.beta].map((t) => t.split('/')),
  };

  const credentials = new Map<string, Array<{ clientId: string; secret: string }>>();
  const tenantData = (tenantId: string) => {
    let data = tenants.get(tenantId);
    if (!data) {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(tenantId)) throw new HttpError(404, 'Request_ResourceNotFound', `tenant ${tenantId} is not known to the simulated Graph`);
      tenants.set(tenantId, (data = buildTenantData(tenantId, NEW_TENANT_SIZE)));
    }
    return data;
  };

  const issueToken = (tenantId: string, delegated: boolean) => {
    const token = `sim-${delegated ? 'delegated' : 'app'}.${tenantId}.${++tokenCounter}`;
    tokens.set(token, { tenantId, expiresAt: Date.now() + tokenLifetime * 1000, delegated });
    return token;
  };

  /** Entra's token error body (learn.microsoft.com/entra/identity-platform/reference-error-codes). */
  const tokenError = (status: number, error: string, description: string) => new TokenError(status, { error, error_description: `${description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString().replace('T', ' ').slice(0, 19)}Z`, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)], timestamp: new Date().toISOString() });

  async function handleToken(tenantId: string, body: string, res: ServerResponse, selfUrl: string) {
    const form = new URLSearchParams(body);
    tenantData(tenantId);
    if (form.get('grant_type') !== 'client_credentials') throw tokenError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.');
    const clientId = form.get('client_id') ?? '';
    // A tenant with registered credentials (acceptCredential / registerCertificate) knows exactly those
    // apps; one without (the seed, or a tenant just created through the API) accepts any client id with
    // the fake secret `local-sim-secret` or a certificate registered for it.
    const registered = credentials.get(tenantId);
    if (registered && !registered.some((c) => c.clientId === clientId) && !certificates.has(tenantId)) {
      throw tokenError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${tenantId}'.`);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret && assertion) throw tokenError(400, 'invalid_request', 'AADSTS90023: Only one client credential may be presented.');
    if (assertion) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') throw tokenError(400, 'invalid_request', 'AADSTS50027: Invalid client_assertion_type.');
      await verifyAssertion(tenantId, clientId, assertion, [`https://login.microsoftonline.com/${tenantId}/oauth2/v2.0/token`, selfUrl]);
    } else if (!(registered ? registered.some((c) => c.clientId === clientId && c.secret === secret) : secret === SIM_CLIENT_SECRET)) {
      throw tokenError(401, 'invalid_client', `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`);
    }
    send(res, 200, { token_type: 'Bearer', expires_in: tokenLifetime, ext_expires_in: tokenLifetime, access_token: issueToken(tenantId, false) });
  }

  /** A certificate credential's client assertion, checked as Entra checks it. */
  async function verifyAssertion(tenantId: string, clientId: string, assertion: string, audiences: string[]) {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try { header = decodeProtectedHeader(assertion); } catch { throw tokenError(401, 'invalid_client', 'AADSTS50027: JWT token is invalid or malformed.'); }
    const thumbprint = String(header['x5t#S256'] ?? '');
    const cert = (certificates.get(tenantId) ?? []).find((c) => Buffer.from(c.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url') === thumbprint);
    if (!cert) throw tokenError(401, 'invalid_client', `AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}']`);
    try {
      // Entra tolerates 5 minutes of clock skew.
      await jwtVerify(assertion, cert.publicKey, { algorithms: ['PS256', 'RS256'], audience: audiences, issuer: clientId, subject: clientId, requiredClaims: ['exp', 'jti'], clockTolerance: 300 });
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw tokenError(401, 'invalid_client', 'AADSTS700024: Client assertion is not within its valid time range.');
      if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'aud') throw tokenError(401, 'invalid_client', `AADSTS700027: Client assertion failed signature validation. [Reason - The audience '${String(err.payload.aud)}' is not the token endpoint.]`);
      throw tokenError(401, 'invalid_client', `AADSTS700027: Client assertion failed signature validation. [Reason - ${(err as Error).message}]`);
    }
  }

  /** Intune's per-tenant limit: a sliding window of admitted requests per tenant (one app per tenant here). */
  function admit(tenantId: string) {
    if (!tenantLimit) return;
    const now = Date.now();
    const log = (admitted.get(tenantId) ?? []).filter((t) => t > now - tenantLimit!.windowMs);
    admitted.set(tenantId, log);
    if (log.length >= tenantLimit.requests) {
      const wait = Math.max(1, Math.ceil((log[log.length - tenantLimit.requests] + tenantLimit.windowMs - now) / 1000));
      throw new HttpError(429, 'TooManyRequests', `Too many requests: this application exceeded ${tenantLimit.requests} requests per ${tenantLimit.windowMs / 1000} s for tenant ${tenantId}.`, { 'Retry-After': String(wait) });
    }
    log.push(now);
  }

  function authorize(req: IncomingMessage, tenantId: string, allowDelegated: boolean) {
    const header = req.headers.authorization ?? '';
    const token = header.replace(/^Bearer\s+/i, '');
    const t = tokens.get(token);
    if (!t || t.tenantId !== tenantId || t.expiresAt < Date.now() || (t.delegated && !allowDelegated)) {
      throw new HttpError(401, 'InvalidAuthenticationToken', 'Access token is empty, expired or not valid for this tenant.');
    }
  }

  function injectFaults(path: string, category: Category | null, collection: string | null) {
    const down = category ? faults.unavailable?.find((u) => u.category === category) : undefined;
    if (down && collection) {
      if (down.status === 403) throw new HttpError(403, 'Forbidden', 'Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All');
      throw segmentNotFound(collection.split('/').pop()!);
    }
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

  /** Keyset paging over ids (a deletion between pages skips nothing); the nextLink keeps the original query. */
  function page<T extends { id: string }>(items: T[], url: URL, render: (x: T) => unknown) {
    const top = Math.min(999, Math.max(1, Number(url.searchParams.get('$top')) || pageSize));
    const after = url.searchParams.get('$skiptoken');
    const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : 1));
    const start = after ? sorted.findIndex((x) => x.id > Buffer.from(after, 'base64url').toString()) : 0;
    const slice = start < 0 ? [] : sorted.slice(start, start + top);
    const more = start >= 0 && start + top < sorted.length;
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', Buffer.from(slice[slice.length - 1]?.id ?? '').toString('base64url'));
    return { '@odata.context': `${url.origin}/$metadata`, value: slice.map(render), ...(more ? { '@odata.nextLink': next.toString() } : {}) };
  }

  /** Offset paging over a relationship (its order is meaningful). */
  function offsetPage<T>(items: T[], url: URL, size: number, render: (x: T) => unknown = (x) => x) {
    const skip = Number(url.searchParams.get('$skiptoken') ? Buffer.from(url.searchParams.get('$skiptoken')!, 'base64url').toString() : 0) || 0;
    const top = Math.min(999, Math.max(1, Number(url.searchParams.get('$top')) || size));
    const slice = items.slice(skip, skip + top);
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    return { value: slice.map(render), ...(skip + top < items.length ? { '@odata.nextLink': next.toString() } : {}) };
  }

  /** The graph-paths.json template a path matches in a version, or Graph's 400 naming the first unknown segment. */
  function route(version: GraphVersion, segments: string[]): { template: string; ids: string[] } {
    let deepest = 0;
    for (const t of TEMPLATES[version]) {
      let k = 0;
      while (k < Math.min(t.length, segments.length) && (t[k] === '{id}' || t[k] === segments[k])) k++;
      if (k === t.length && k === segments.length) return { template: t.join('/'), ids: segments.filter((_, i) => t[i] === '{id}') };
      deepest = Math.max(deepest, k);
    }
    throw segmentNotFound(segments[Math.min(deepest, segments.length - 1)] ?? '');
  }

  function policyIn(data: SimTenantData, info: CollectionInfo, id: string): SimPolicy {
    const p = data.policies.get(id);
    if (!p || p.category !== info.category || (info.odataType && p.content['@odata.type'] !== info.odataType)) {
      throw new HttpError(404, 'ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    }
    return p;
  }

  /** A policy as GET answers it: its properties, plus the expanded relationships (validated against its type). */
  function renderPolicy(p: SimPolicy, info: CollectionInfo, url: URL, root: string) {
    const expand = parseExpand(url.searchParams.get('$expand'));
    const out: Record<string, unknown> = { ...p.content };
    // A subtype collection answers without @odata.type (Microsoft's export sample re-adds it).
    if (info.odataType) delete out['@odata.type'];
    for (const e of expand) {
      if (!info.expandable.includes(e.name)) {
        const type = String(p.content['@odata.type'] ?? `#microsoft.graph.${info.category}`).replace(/^#/, '');
        throw new HttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${e.name}' on type '${type}'.`);
      }
      if (e.name === 'assignments') out.assignments = p.assignments;
      else if (e.name === 'definitionValues') out.definitionValues = []; // reported of real Graph (microsoft-graph-docs#19655)
      else if (e.name === 'scheduledActionsForRule') {
        out.scheduledActionsForRule = (p.relations.scheduledActionsForRule ?? []).map(({ scheduledActionConfigurations, ...rule }) => (e.nested === 'scheduledActionConfigurations' ? { ...rule, scheduledActionConfigurations } : rule));
      } else if (e.name === 'settings') {
        const settings = p.relations.settings ?? [];
        out.settings = settings.slice(0, SETTINGS_PAGE);
        if (settings.length > SETTINGS_PAGE) {
          out['settings@odata.nextLink'] = `${root}/beta/${CATEGORY_API.configurationPolicies.collection}/${encodeURIComponent(p.id)}/settings?$skiptoken=${Buffer.from(String(SETTINGS_PAGE)).toString('base64url')}`;
        }
      } else out[e.name] = p.relations[e.name] ?? [];
    }
    return out;
  }

  async function handleGraph(req: IncomingMessage, res: ServerResponse, tenantId: string, version: GraphVersion, rest: string, url: URL, body: string, root: string) {
    const data = tenantData(tenantId);
    admit(tenantId);
    const segments = rest.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const { template, ids } = route(version, segments);
    if (template === 'groups' && method === 'GET') {
      const search = url.searchParams.get('$search');
      const filter = url.searchParams.get('$filter');
      authorize(req, tenantId, Boolean(search || filter));
      injectFaults(rest, null, null);
      let groups = [...data.groups.values()];
      if (search) {
        if (String(req.headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
          throw new HttpError(400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
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
      return send(res, 200, page(groups, url, (g) => g));
    }
    authorize(req, tenantId, false);
    if (template === 'organization' && method === 'GET') {
      injectFaults(rest, null, null);
      return send(res, 200, { '@odata.context': `${root}/v1.0/$metadata#organization`, value: [{ id: guid(seededRandom(tenantId.length * 7919 + 1)), displayName: `${tenantId} (simulated)` }] });
    }
    if (template === 'groups/{id}' && method === 'GET') {
      injectFaults(rest, null, null);
      const g = data.groups.get(ids[0]);
      if (!g) throw new HttpError(404, 'Request_ResourceNotFound', `Resource '${ids[0]}' does not exist or one of its queried reference-property objects are not present.`);
      return send(res, 200, g);
    }
    if (template === 'deviceManagement/groupPolicyDefinitions' && method === 'GET') {
      injectFaults(rest, 'groupPolicyConfigurations', null);
      return send(res, 200, page([...data.definitions.values()], url, ({ presentations: _p, ...d }) => d));
    }
    const collection = segments.slice(0, 2).join('/');
    const info = COLLECTIONS.get(collection);
    if (!info) throw noRoute(method, rest);
    injectFaults(rest, info.category, collection);
    const tail = template.split('/').slice(2).join('/');
    if (tail === '' && method === 'GET') {
      const items = [...data.policies.values()].filter((p) => p.category === info.category && (!info.odataType || p.content['@odata.type'] === info.odataType));
      return send(res, 200, page(items, url, (p) => p.content));
    }
    const policy = policyIn(data, info, ids[0]);
    if (tail === '{id}' && method === 'GET') return send(res, 200, { '@odata.context': `${root}/${version}/$metadata#entity`, ...renderPolicy(policy, info, url, root) });
    if (tail === '{id}' && method === 'PATCH') {
      const { id: _i, ...writable } = parseBody(body);
      // Relationships are not properties: Graph ignores them in a PATCH of the entity, except the settings catalog's settings.
      const { settings, assignments: _a, ...props } = writable;
      if (Array.isArray(settings) && info.category === 'configurationPolicies') policy.relations.settings = settings.map((s: Record<string, unknown>, k: number) => ({ ...s, id: String(k) }));
      for (const r of ['scheduledActionsForRule', 'definitionValues', 'apps', 'protectedAppLockerFiles', 'exemptAppLockerFiles']) delete props[r];
      if (info.odataType) props['@odata.type'] = info.odataType;
      bump(policy, props);
      res.writeHead(204).end();
      return;
    }
    if (tail === '{id}/assignments' && method === 'GET') return send(res, 200, offsetPage(policy.assignments, url, 100));
    if (tail === '{id}/assign' && method === 'POST') {
      const assignments = (parseBody(body).assignments ?? []) as Array<{ target: Record<string, unknown> }>;
      policy.assignments = assignments.map((a, k) => ({ id: `${policy.id}_${k}`, target: a.target }));
      bump(policy, {});
      send(res, 200, { value: policy.assignments });
      return;
    }
    if (tail === '{id}/settings' && method === 'GET') return send(res, 200, offsetPage(policy.relations.settings ?? [], url, SETTINGS_PAGE));
    if (tail === '{id}/apps' && method === 'GET') return send(res, 200, offsetPage(policy.relations.apps ?? [], url, pageSize));
    if (tail === '{id}/targetApps' && method === 'POST') {
      const apps = (parseBody(body).apps ?? []) as Array<{ mobileAppIdentifier: Record<string, unknown> }>;
      policy.relations.apps = apps.map((a) => ({ id: String((a.mobileAppIdentifier?.bundleId ?? a.mobileAppIdentifier?.packageId ?? guid(idDice))), mobileAppIdentifier: a.mobileAppIdentifier }));
      bump(policy, {});
      res.writeHead(204).end();
      return;
    }
    if (tail === '{id}/scheduleActionsForRules' && method === 'POST') {
      const rules = (parseBody(body).deviceComplianceScheduledActionForRules ?? []) as Array<Record<string, any>>;
      const blocks = rules.flatMap((r) => r.scheduledActionConfigurations ?? []).filter((c: Record<string, unknown>) => c.actionType === 'block');
      if (blocks.length !== 1) throw new HttpError(400, 'BadRequest', 'Compliance policy must have one and only one block scheduled action');
      policy.relations.scheduledActionsForRule = rules.map((r) => ({ ...r, id: guid(idDice), scheduledActionConfigurations: (r.scheduledActionConfigurations ?? []).map((c: Record<string, unknown>) => ({ ...c, id: guid(idDice) })) }));
      bump(policy, {});
      res.writeHead(204).end();
      return;
    }
    if (tail === '{id}/definitionValues' && method === 'GET') {
      const expand = parseExpand(url.searchParams.get('$expand')).map((e) => e.name);
      for (const e of expand) if (e !== 'definition' && e !== 'presentationValues') throw new HttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${e}' on type 'microsoft.graph.groupPolicyDefinitionValue'.`);
      return send(res, 200, offsetPage(policy.relations.definitionValues ?? [], url, pageSize, ({ definition, presentationValues, ...v }) => ({
        ...v, ...(expand.includes('definition') ? { definition } : {}),
        ...(expand.includes('presentationValues') ? { presentationValues: (presentationValues as Array<Record<string, unknown>>).map(({ presentation: _p, ...pv }) => pv) } : {}),
      })));
    }
    const value = ids[1] ? (policy.relations.definitionValues ?? []).find((v) => v.id === ids[1]) : undefined;
    if (tail === '{id}/definitionValues/{id}/definition' && method === 'GET') {
      if (!value) throw new HttpError(404, 'ResourceNotFound', `Resource '${ids[1]}' does not exist.`);
      return send(res, 200, value.definition);
    }
    if (tail === '{id}/definitionValues/{id}/presentationValues' && method === 'GET') {
      if (!value) throw new HttpError(404, 'ResourceNotFound', `Resource '${ids[1]}' does not exist.`);
      const expand = parseExpand(url.searchParams.get('$expand')).map((e) => e.name);
      for (const e of expand) if (e !== 'presentation' && e !== 'definitionValue') throw new HttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${e}' on type 'microsoft.graph.groupPolicyPresentationValue'.`);
      return send(res, 200, offsetPage((value.presentationValues ?? []) as Array<Record<string, unknown>>, url, pageSize, ({ presentation, ...pv }) => (expand.includes('presentation') ? { ...pv, presentation } : pv)));
    }
    if (tail === '{id}/updateDefinitionValues' && method === 'POST') {
      updateDefinitionValues(data, policy, parseBody(body));
      bump(policy, {});
      res.writeHead(204).end();
      return;
    }
    if (tail === '{id}/setPriority' && method === 'POST') {
      const priority = Number(parseBody(body).priority);
      if (!Number.isInteger(priority) || priority < 0) throw new HttpError(400, 'BadRequest', 'priority must be a non-negative integer');
      bump(policy, { priority });
      res.writeHead(204).end();
      return;
    }
    throw noRoute(method, rest);
  }

  /** `updateDefinitionValues` {added, updated, deletedIds}: definitions and presentations by `@odata.bind`. */
  function updateDefinitionValues(data: SimTenantData, policy: SimPolicy, body: Record<string, any>) {
    const boundId = (bind: unknown, which: 'definition' | 'presentation') => {
      const m = /groupPolicyDefinitions\('([^']+)'\)(?:\/presentations\('([^']+)'\))?$/.exec(String(bind ?? ''));
      if (!m || (which === 'presentation' && !m[2])) throw new HttpError(400, 'BadRequest', `Invalid ${which}@odata.bind: ${String(bind)}`);
      const def = data.definitions.get(m[1]);
      if (!def) throw new HttpError(404, 'ResourceNotFound', `groupPolicyDefinition '${m[1]}' does not exist.`);
      return { def, presentation: m[2] ? def.presentations.find((p) => p.id === m[2]) : undefined };
    };
    const build = (v: Record<string, any>, id: string) => {
      const { def } = boundId(v['definition@odata.bind'], 'definition');
      return {
        id, enabled: v.enabled !== false, configurationType: 'policy',
        definition: { id: def.id, displayName: def.displayName, classType: def.classType, categoryPath: def.categoryPath },
        presentationValues: (v.presentationValues ?? []).map((pv: Record<string, any>) => {
          const { presentation } = boundId(pv['presentation@odata.bind'], 'presentation');
          const { 'presentation@odata.bind': _b, ...rest } = pv;
          if (!presentation) throw new HttpError(400, 'BadRequest', 'unknown presentation');
          return { ...rest, id: guid(idDice), presentation };
        }),
      };
    };
    let values = [...(policy.relations.definitionValues ?? [])];
    const deleted = new Set((body.deletedIds ?? []) as string[]);
    values = values.filter((v) => !deleted.has(String(v.id)));
    for (const u of (body.updated ?? []) as Array<Record<string, any>>) {
      const k = values.findIndex((v) => v.id === u.id);
      if (k < 0) throw new HttpError(404, 'ResourceNotFound', `definition value '${u.id}' does not exist.`);
      values[k] = build(u, String(u.id));
    }
    for (const a of (body.added ?? []) as Array<Record<string, any>>) values.push(build(a, guid(idDice)));
    policy.relations.definitionValues = values;
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
    if (what === 'credentials' && req.method === 'POST') {
      const { clientId, secret, certificatePem } = parseBody(body);
      if (typeof clientId !== 'string' || (typeof secret !== 'string') === (typeof certificatePem !== 'string')) throw new HttpError(400, 'BadRequest', 'body: { clientId, secret } or { clientId, certificatePem }');
      if (typeof certificatePem === 'string') sim.registerCertificate(tenantId, certificatePem);
      else sim.acceptCredential(tenantId, clientId, secret as string);
      res.writeHead(204).end();
      return;
    }
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
      const entry: SimRequest = { method: req.method ?? 'GET', tenantId: null, version: null, path: url.pathname + url.search, status: 0 };
      res.on('finish', () => { entry.status = res.statusCode; });
      try {
        const parts = url.pathname.split('/').filter(Boolean);
        if (parts[0] === '_sim') return handleControl(req, res, parts.slice(1).map(decodeURIComponent), body);
        if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
        if (parts.length === 4 && parts[1] === 'oauth2' && parts[3] === 'token' && req.method === 'POST') {
          entry.tenantId = decodeURIComponent(parts[0]);
          requests.push(entry);
          return await handleToken(entry.tenantId, body, res, `${sim.url}/${parts[0]}/oauth2/v2.0/token`);
        }
        if (parts[0] === 'graph' && parts.length >= 3) {
          entry.tenantId = decodeURIComponent(parts[1]);
          const root = `${sim.url}/graph/${parts[1]}`;
          const version = parts[2];
          if (version !== 'v1.0' && version !== 'beta') throw segmentNotFound(version);
          entry.version = version;
          const prefix = `/graph/${parts[1]}/${version}/`;
          entry.path = url.pathname.slice(prefix.length) + url.search;
          requests.push(entry);
          if (parts.length === 4 && parts[3] === '$batch' && req.method === 'POST') return await handleBatch(req, res, entry.tenantId, version, body, root);
          return await handleGraph(req, res, entry.tenantId, version, url.pathname.slice(prefix.length), url, body, root);
        }
        throw new HttpError(404, 'NotFound', `no route for ${url.pathname}`);
      } catch (err) {
        if (err instanceof TokenError) return send(res, err.status, err.body);
        const answer = graphErrorAnswer(err, String(req.headers['client-request-id'] ?? randomUUID()));
        res.writeHead(answer.status, answer.headers);
        res.end(JSON.stringify(answer.body));
      }
    });
  });

  /**
   * JSON batching (learn.microsoft.com/graph/json-batching): `{ requests: [{ id, method, url, headers?, body? }] }`
   * with at most 20 requests and unique ids; each sub-request goes through the same strict path checks,
   * faults and per-tenant limit as a direct request and answers in `responses` with its own status,
   * headers (Retry-After on 429) and body. dependsOn is not supported (the client never sends it).
   */
  async function handleBatch(req: IncomingMessage, res: ServerResponse, tenantId: string, version: GraphVersion, body: string, root: string) {
    tenantData(tenantId);
    authorize(req, tenantId, false);
    const parsed = parseBody(body) as { requests?: unknown };
    const subs = parsed.requests;
    if (!Array.isArray(subs) || subs.length === 0) throw new HttpError(400, 'BadRequest', 'Invalid batch payload format.');
    if (subs.length > BATCH_MAX_REQUESTS) throw new HttpError(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${BATCH_MAX_REQUESTS}.`);
    const ids = subs.map((r) => String((r as { id?: unknown }).id ?? ''));
    if (ids.some((id) => !id) || new Set(ids).size !== ids.length) throw new HttpError(400, 'BadRequest', 'Batch request ids must be present and unique.');
    const responses = [];
    for (const raw of subs as Array<{ id: string; method?: string; url?: string; headers?: Record<string, string>; body?: unknown }>) {
      const sub: SimRequest = { method: String(raw.method ?? 'GET').toUpperCase(), tenantId, version, path: String(raw.url ?? '').replace(/^\/+/, ''), status: 0, inBatch: true };
      requests.push(sub);
      const { res: captured, out } = captureResponse();
      try {
        const rel = String(raw.url ?? '').replace(/^\/+/, '');
        if (!raw.url || /^[a-z]+:/i.test(rel) || rel.startsWith('$batch')) throw new HttpError(400, 'BadRequest', `Invalid request URL '${String(raw.url)}' in batch step ${raw.id}.`);
        const subUrl = new URL(`${root}/${version}/${rel}`);
        const headers: Record<string, string> = { authorization: String(req.headers.authorization ?? '') };
        for (const [k, v] of Object.entries(raw.headers ?? {})) if (k.toLowerCase() !== 'authorization') headers[k.toLowerCase()] = String(v);
        const subReq = { method: sub.method, headers } as unknown as IncomingMessage;
        const subBody = raw.body === undefined ? '' : JSON.stringify(raw.body);
        await handleGraph(subReq, captured, tenantId, version, subUrl.pathname.slice(`${new URL(root).pathname}/${version}/`.length), subUrl, subBody, root);
      } catch (err) {
        const answer = graphErrorAnswer(err, randomUUID());
        captured.writeHead(answer.status, answer.headers);
        captured.end(JSON.stringify(answer.body));
      }
      sub.status = out.status;
      const { 'Content-Type': _ct, ...headers } = out.headers;
      responses.push({ id: raw.id, status: out.status, headers: { 'Content-Type': 'application/json', ...headers }, ...(out.body ? { body: JSON.parse(out.body) } : {}) });
    }
    send(res, 200, { responses });
  }

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
    acceptCredential: (tenantId, clientId, secret) => { credentials.set(tenantId, [...(credentials.get(tenantId) ?? []), { clientId, secret }]); },
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
    registerCertificate: (tenantId, pem) => { certificates.set(tenantId, [...(certificates.get(tenantId) ?? []), new X509Certificate(pem)]); },
    setTenantLimit: (limit) => { tenantLimit = limit; admitted.clear(); },
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
