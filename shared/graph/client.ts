/**
 * The Microsoft Graph client the workers use (SPEC §3, §8): client-credentials tokens cached until
 * they expire, `@odata.nextLink` paging, 429/503 retried honouring `Retry-After` with capped
 * exponential backoff and jitter, and every failure mapped to a GraphError with a stable code.
 * Plain `fetch`; locally it simply points at the simulated Graph (§10).
 */
import type { Category } from '../runs/catalog.js';
import { CATEGORY_PATHS } from './categories.js';
import { GraphError, codeForStatus } from './errors.js';
import type { SecretResolver } from './secrets.js';
import { registerSecret } from '../runs/secret-registry.js';

/** A tenant's Graph settings, stored on the tenant item (pk TENANT#t, sk PROFILE, attribute `graph`). */
export interface GraphSettings {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  secretRef: string;
}

export interface GraphPage<T> {
  items: T[];
  /** the absolute `@odata.nextLink`, or null on the last page */
  nextLink: string | null;
}

export interface PolicySummary {
  id: string;
  category: Category;
  displayName: string;
  odataType: string | null;
  lastModifiedDateTime: string | null;
}

export interface PolicyAssignment {
  id?: string;
  target: Record<string, unknown>;
}

export interface PolicyContent {
  id: string;
  category: Category;
  displayName: string;
  /** the policy object as Graph answers it, minus OData annotations */
  content: Record<string, unknown>;
  assignments: PolicyAssignment[];
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  mail: string | null;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
}

export interface GraphClientOptions {
  settings: GraphSettings;
  secrets: SecretResolver;
  fetch?: typeof fetch;
  /** injectable so tests do not wait out real backoff */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** retries of one request after a 429/503/network error (default 5) */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** a Retry-After longer than this is not waited out inside a Lambda: the request fails as throttled */
  maxRetryAfterMs?: number;
  requestTimeoutMs?: number;
  scope?: string;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const TOKEN_EARLY_REFRESH_MS = 60_000;

export class GraphClient {
  private readonly settings: GraphSettings;
  private readonly secrets: SecretResolver;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly requestTimeoutMs: number;
  private readonly scope: string;
  private token: { value: string; until: number } | null = null;
  private tokenInFlight: Promise<string> | null = null;

  constructor(opts: GraphClientOptions) {
    this.settings = { ...opts.settings, baseUrl: opts.settings.baseUrl.replace(/\/+$/, '') };
    this.secrets = opts.secrets;
    this.fetchFn = opts.fetch ?? ((...a) => fetch(...a));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.maxRetries = opts.maxRetries ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 20_000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.scope = opts.scope ?? 'https://graph.microsoft.com/.default';
  }

  /** One page of a category's policies; pass the previous page's `nextLink` to go on. */
  async listPolicies(category: Category, nextLink?: string | null): Promise<GraphPage<PolicySummary>> {
    const page = await this.getPage(nextLink ?? this.url(CATEGORY_PATHS[category]));
    return { items: page.items.map((p) => toSummary(category, p)), nextLink: page.nextLink };
  }

  /** A policy's full content and its assignments. */
  async getPolicy(category: Category, id: string): Promise<PolicyContent> {
    const path = `${CATEGORY_PATHS[category]}/${encodeURIComponent(id)}`;
    const [body, assignments] = await Promise.all([
      this.request('GET', this.url(path)),
      this.request('GET', this.url(`${path}/assignments`)),
    ]);
    const content = stripAnnotations(body as Record<string, unknown>);
    return {
      id: String(content.id ?? id),
      category,
      displayName: String(content.displayName ?? content.name ?? id),
      content,
      assignments: ((assignments as { value?: unknown[] })?.value ?? []).map((a) => stripAnnotations(a as Record<string, unknown>) as unknown as PolicyAssignment),
    };
  }

  /** Writes a policy back (restore): PATCH its content, then replace its assignments via `/assign`. */
  async writePolicy(category: Category, id: string, policy: { content: Record<string, unknown>; assignments?: PolicyAssignment[] }): Promise<void> {
    const path = `${CATEGORY_PATHS[category]}/${encodeURIComponent(id)}`;
    const { id: _id, createdDateTime: _c, lastModifiedDateTime: _m, version: _v, ...writable } = policy.content;
    await this.request('PATCH', this.url(path), writable);
    if (policy.assignments) {
      await this.request('POST', this.url(`${path}/assign`), { assignments: policy.assignments.map(({ target }) => ({ target })) });
    }
  }

  /** One page of the tenant's directory groups. */
  async listGroups(nextLink?: string | null): Promise<GraphPage<DirectoryGroup>> {
    const page = await this.getPage(nextLink ?? this.url('groups?$select=id,displayName,mail,description,securityEnabled,mailEnabled'));
    return { items: page.items.map(toGroup), nextLink: page.nextLink };
  }

  /**
   * RBAC group search (§5) with the caller's delegated token: used for this one request, never
   * cached, stored or logged.
   */
  async searchGroups(q: string, delegatedToken: string, top = 25): Promise<Array<Pick<DirectoryGroup, 'id' | 'displayName' | 'mail'>>> {
    const search = `"displayName:${q.replace(/["\\]/g, '\\$&')}"`;
    const url = this.url(`groups?$search=${encodeURIComponent(search)}&$select=id,displayName,mail&$top=${top}`);
    const body = (await this.request('GET', url, undefined, { token: delegatedToken, headers: { ConsistencyLevel: 'eventual' } })) as { value?: unknown[] };
    return (body.value ?? []).map(toGroup).map(({ id, displayName, mail }) => ({ id, displayName, mail }));
  }

  private url(relative: string): string {
    return `${this.settings.baseUrl}/${relative}`;
  }

  private async getPage(url: string): Promise<GraphPage<Record<string, unknown>>> {
    const body = (await this.request('GET', url)) as { value?: Record<string, unknown>[]; '@odata.nextLink'?: string };
    const nextLink = body['@odata.nextLink'] ?? null;
    // Our bearer token goes wherever nextLink points: only follow links back to the same Graph.
    if (nextLink && new URL(nextLink).origin !== new URL(this.settings.baseUrl).origin) {
      throw new GraphError('graph_error', `Graph answered a nextLink to another host (${new URL(nextLink).host})`);
    }
    return { items: body.value ?? [], nextLink };
  }

  /** One Graph request with retries; a 401 with our app token refreshes the token once. */
  private async request(method: string, url: string, body?: unknown, opts: { token?: string; headers?: Record<string, string> } = {}): Promise<unknown> {
    const where = describe(url, this.settings.baseUrl);
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const token = opts.token ?? (await this.appToken());
      let res: Response;
      try {
        res = await this.fetchFn(url, {
          method,
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
      } catch (err) {
        if (attempt < this.maxRetries) {
          await this.sleep(this.backoff(attempt, null));
          continue;
        }
        throw new GraphError('graph_unavailable', `Graph could not be reached for ${where}: ${(err as Error).message}`);
      }
      if (res.ok) return res.status === 204 ? null : parseJson(await res.text());
      if (res.status === 401 && !opts.token && !refreshed) {
        refreshed = true;
        this.token = null;
        await drain(res);
        continue;
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      if (RETRYABLE.has(res.status) && attempt < this.maxRetries && (retryAfterMs ?? 0) <= this.maxRetryAfterMs) {
        await drain(res);
        await this.sleep(this.backoff(attempt, retryAfterMs));
        continue;
      }
      throw await toGraphError(res, method, where, retryAfterMs);
    }
  }

  /** Retry-After when Graph gave one (plus ≤10 % jitter so callers spread out), else capped exponential with full jitter. */
  private backoff(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return retryAfterMs + Math.floor(this.random() * retryAfterMs * 0.1);
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(cap / 2 + this.random() * (cap / 2));
  }

  /** The app's token, cached until shortly before it expires; concurrent callers share one fetch. */
  private async appToken(): Promise<string> {
    if (this.token && this.token.until > this.now()) return this.token.value;
    this.tokenInFlight ??= this.fetchToken().finally(() => { this.tokenInFlight = null; });
    return this.tokenInFlight;
  }

  private async fetchToken(): Promise<string> {
    const secret = await this.secrets.resolve(this.settings.secretRef);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: this.settings.clientId, client_secret: secret, scope: this.scope });
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.fetchFn(this.settings.tokenUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
      } catch (err) {
        if (attempt < this.maxRetries) { await this.sleep(this.backoff(attempt, null)); continue; }
        throw new GraphError('graph_unavailable', `the token endpoint could not be reached: ${(err as Error).message}`);
      }
      if (res.ok) {
        const body = parseJson(await res.text()) as { access_token?: string; expires_in?: number | string };
        if (!body?.access_token) throw new GraphError('graph_auth_failed', 'the token endpoint answered without an access token');
        const lifetimeMs = Number(body.expires_in ?? 3600) * 1000;
        this.token = { value: registerSecret(body.access_token), until: this.now() + Math.max(0, lifetimeMs - TOKEN_EARLY_REFRESH_MS) };
        return body.access_token;
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      if (RETRYABLE.has(res.status) && attempt < this.maxRetries && (retryAfterMs ?? 0) <= this.maxRetryAfterMs) {
        await drain(res);
        await this.sleep(this.backoff(attempt, retryAfterMs));
        continue;
      }
      const err = await toGraphError(res, 'POST', 'the token endpoint', retryAfterMs);
      // Anything but an outage from the token endpoint means the app cannot sign in.
      throw err.transient ? err : new GraphError('graph_auth_failed', err.message, err.status);
    }
  }
}

/** "deviceManagement/deviceConfigurations/…" — the path relative to the base, without the query. */
function describe(url: string, baseUrl: string): string {
  const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length + 1) : new URL(url).pathname;
  return path.split('?')[0];
}

export function parseRetryAfter(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

async function toGraphError(res: Response, method: string, where: string, retryAfterMs: number | null): Promise<GraphError> {
  const text = await res.text().catch(() => '');
  const body = parseJson(text) as { error?: { code?: string; message?: string } | string; error_description?: string } | null;
  const detail =
    typeof body?.error === 'object' ? [body.error.code, body.error.message].filter(Boolean).join(': ')
    : [body?.error, body?.error_description].filter(Boolean).join(': ') || text.slice(0, 200);
  return new GraphError(codeForStatus(res.status), `Graph answered ${res.status} to ${method} ${where}${detail ? ` (${detail})` : ''}`, res.status, retryAfterMs);
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphError('graph_error', 'Graph answered a body that is not JSON');
  }
}

async function drain(res: Response) {
  await res.arrayBuffer().catch(() => undefined);
}

function stripAnnotations(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (!k.startsWith('@odata.') || k === '@odata.type') out[k] = v;
  return out;
}

function toSummary(category: Category, p: Record<string, unknown>): PolicySummary {
  return {
    id: String(p.id),
    category,
    displayName: String(p.displayName ?? p.name ?? p.id),
    odataType: typeof p['@odata.type'] === 'string' ? (p['@odata.type'] as string) : null,
    lastModifiedDateTime: typeof p.lastModifiedDateTime === 'string' ? p.lastModifiedDateTime : null,
  };
}

function toGroup(g: unknown): DirectoryGroup {
  const o = g as Record<string, unknown>;
  return {
    id: String(o.id),
    displayName: String(o.displayName ?? ''),
    mail: typeof o.mail === 'string' ? o.mail : null,
    description: typeof o.description === 'string' ? o.description : null,
    securityEnabled: o.securityEnabled === true,
    mailEnabled: o.mailEnabled === true,
  };
}
