/**
 * The Microsoft Graph client the workers use (SPEC §3, §8; issue 13): every category at its own API
 * version and with its full content (shared/graph/api-map.ts), client-credentials tokens cached until
 * they expire, `@odata.nextLink` paging, 429/503 retried honouring `Retry-After` with capped
 * exponential backoff and jitter — but never past the caller's time budget (`withBudget`) — and every
 * failure mapped to a GraphError with a stable code. Ids are checked as Graph ids before they go into
 * a URL; the Graph root and the token endpoint must be Microsoft hosts (shared/graph/clouds.ts).
 * Plain `fetch`; locally it simply points at the simulated Graph (§10).
 */
import type { Category } from '../runs/catalog.js';
import { APP_SUBTYPES, CATEGORY_API, GROUPS_VERSION, ORGANIZATION, appSubtypeOf, fill, type AppSubtype, type GraphVersion } from './api-map.js';
import type { AppTokenSource, AppTokenSourceFactory, TokenIo } from './app-tokens.js';
import { checkGraphRoot, checkTokenUrl, defaultScope, rootOfLegacyBaseUrl } from './clouds.js';
import { GraphError, codeForStatus } from './errors.js';
import { GRAPH_POLICY_ID_MESSAGE, isGraphGuid, isGraphPolicyId } from './ids.js';
import type { SecretResolver } from './secrets.js';

/**
 * A tenant's Graph settings, stored on the tenant item (pk TENANT#t, sk PROFILE, attribute `graph`).
 * `graphRoot` is the service root (`https://graph.microsoft.com` or a national cloud's); the client
 * adds the API version per category. Rows of the old shape (`baseUrl: …/v1.0`) are read as their root.
 */
export interface GraphSettings {
  graphRoot?: string;
  /** @deprecated the old versioned base URL; read as its root */
  baseUrl?: string;
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
  /** the policy as Graph answers it (expanded relationships included), minus OData annotations and assignments */
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
  /** ms this client's calls may still take in all (retries and Retry-After included); default unbounded */
  budgetMs?: () => number;
  /** where app tokens come from (the workers: MSAL, shared/graph/msal-tokens.ts); without it, only delegated calls work */
  appTokens?: AppTokenSourceFactory;
  /**
   * Concurrent GETs with the app token go through Graph's JSON batching (`POST /{version}/$batch`, up
   * to 20 per call) instead of one round trip each (default true; GRAPH_BATCHING=0 turns it off).
   */
  batching?: boolean;
}

/** Graph JSON batching: at most 20 requests per $batch (learn.microsoft.com/graph/json-batching). */
export const BATCH_LIMIT = 20;
/** parallel policy reads per chunk without batching (each its own round trip, against the per-tenant limit) */
const UNBATCHED_READS = 4;

interface Pending {
  version: GraphVersion;
  /** the URL relative to `{root}/{version}/` */
  relative: string;
  headers: Record<string, string>;
  resolve: (res: Response) => void;
  reject: (err: unknown) => void;
  direct: () => Promise<Response>;
}

export const RETRYABLE = new Set([429, 502, 503, 504]);
/** MSAL renews a cached token 5 minutes before it expires; the client's memo follows it. */
const TOKEN_RENEWAL_MS = 300_000;
/** a request is not started with less than this much budget left */
export const MIN_REQUEST_MS = 250;

/** The app token and where it comes from, shared by a client and its budgeted views. */
interface TokenState {
  source: AppTokenSource | null;
  token: { value: string; until: number } | null;
  inFlight: Promise<string> | null;
}

export class GraphClient {
  private readonly root: string;
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
  private readonly budgetMs: () => number;
  private tokens: TokenState;
  private readonly batching: boolean;
  private queued: Pending[] = [];

  constructor(private readonly opts: GraphClientOptions) {
    this.root = checkGraphRoot(opts.settings.graphRoot ?? rootOfLegacyBaseUrl(opts.settings.baseUrl ?? ''));
    // Our credential only ever goes to a national cloud's login host: refuse the client otherwise.
    checkTokenUrl(opts.settings.tokenUrl);
    this.fetchFn = opts.fetch ?? ((...a) => fetch(...a));
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.maxRetries = opts.maxRetries ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 20_000;
    this.maxRetryAfterMs = opts.maxRetryAfterMs ?? 60_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.scope = opts.scope ?? defaultScope(this.root);
    this.budgetMs = opts.budgetMs ?? (() => Number.POSITIVE_INFINITY);
    this.batching = opts.batching ?? true;
    this.tokens = { token: null, inFlight: null, source: opts.appTokens?.({ settings: opts.settings, graphRoot: this.root, scope: this.scope, secrets: opts.secrets }) ?? null };
  }

  /**
   * The same client (same token cache) whose calls, retries and Retry-After waits all fit in
   * `budgetMs()`: past it a call fails at once as graph_throttled / graph_unavailable (transient), so
   * a worker checkpoints and continues later instead of sleeping into its Lambda timeout.
   */
  withBudget(budgetMs: () => number): GraphClient {
    const view = new GraphClient({ ...this.opts, budgetMs });
    view.tokens = this.tokens;
    return view;
  }

  /**
   * How many policy reads a sync should start at once: enough to fill a $batch when batching (the
   * round trips are shared), else a few (each read is its own round trip).
   */
  get readConcurrency(): number {
    return this.batching ? BATCH_LIMIT : UNBATCHED_READS;
  }

  /** The Graph root this client talks to (`https://graph.microsoft.com`, a national cloud's, or the simulator's). */
  get graphRoot(): string {
    return this.root;
  }

  /** One page of a category's policies; pass the previous page's `nextLink` to go on. */
  async listPolicies(category: Category, nextLink?: string | null): Promise<GraphPage<PolicySummary>> {
    const api = CATEGORY_API[category];
    const page = await this.getPage(nextLink ?? this.url(api.version, api.collection));
    return { items: page.items.map((p) => toSummary(category, p)), nextLink: page.nextLink };
  }

  /** A policy's full content (expanded relationships included, see api-map.ts) and its assignments. */
  async getPolicy(category: Category, id: string): Promise<PolicyContent> {
    checkPolicyId(id);
    const api = CATEGORY_API[category];
    const item = fill(`${api.collection}/{id}`, id);
    let body: Record<string, unknown>;
    let assignments: unknown[] | undefined;
    if (api.read === 'appSubtype') {
      // The base collection names the subtype; the subtype collection holds apps and assignments.
      const base = (await this.request('GET', this.url(api.version, item))) as Record<string, unknown>;
      const subtype = requireSubtype(base['@odata.type'], id);
      body = (await this.request('GET', this.url(api.version, `${fill(`${subtype.collection}/{id}`, id)}?$expand=${subtype.expand.join(',')}`))) as Record<string, unknown>;
      // The subtype collection may answer without @odata.type (Microsoft's ManagedAppPolicy_Export.ps1 re-adds it).
      body = { '@odata.type': subtype.odataType, ...body };
    } else {
      const query = api.expand.length ? `?$expand=${api.expand.join(',')}` : '';
      const reads: Array<Promise<unknown>> = [this.request('GET', this.url(api.version, item + query))];
      if (api.assignmentsPath) reads.push(this.getAll(this.url(api.version, `${item}/assignments`)));
      if (api.read === 'adminTemplates') reads.push(this.definitionValues(api.version, item));
      const [main, assigned, values] = await Promise.all(reads);
      body = main as Record<string, unknown>;
      if (assigned) assignments = assigned as unknown[];
      if (api.read === 'settingsCatalog') body = { ...body, settings: await this.expandedAll(body, 'settings') };
      if (values) body = { ...body, definitionValues: values };
    }
    if (!assignments) assignments = Array.isArray(body.assignments) ? body.assignments : [];
    const { assignments: _a, ...rest } = stripAnnotations(body);
    const content = rest;
    return {
      id: String(content.id ?? id),
      category,
      displayName: String(content.displayName ?? content.name ?? id),
      content,
      assignments: assignments.map((a) => stripAnnotations(a as Record<string, unknown>) as unknown as PolicyAssignment),
    };
  }

  /**
   * Writes a policy back (restore) the way its category requires (Microsoft's docs, per category):
   *   device configurations, enrollment configurations: PATCH the item, POST …/assign
   *   compliance: PATCH without scheduledActionsForRule, POST …/scheduleActionsForRules, POST …/assign
   *   settings catalog: PATCH name/description/platforms/technologies/roleScopeTagIds/settings, POST …/assign
   *   administrative templates: PATCH the item, POST …/updateDefinitionValues {added, updated, deletedIds}, POST …/assign
   *   app policies: PATCH the subtype item, POST managedAppPolicies/{id}/targetApps {apps}, POST …/assign
   *     where the subtype collection has one — else a differing assignment set is graph_assign_unsupported.
   * `current` (what Graph holds now) lets it skip an assignment write that would change nothing.
   */
  async writePolicy(category: Category, id: string, policy: { content: Record<string, unknown>; assignments?: PolicyAssignment[] }, current?: PolicyContent): Promise<void> {
    checkPolicyId(id);
    const api = CATEGORY_API[category];
    const v = api.version;
    const item = fill(`${api.collection}/{id}`, id);
    const { id: _id, createdDateTime: _c, lastModifiedDateTime: _m, version: _v, ...writable } = policy.content;
    let assignPath: string | null = api.assign ? `${item}/assign` : null;
    if (api.read === 'appSubtype') {
      const subtype = requireSubtype(writable['@odata.type'], id);
      const { apps, protectedAppLockerFiles: _p, exemptAppLockerFiles: _e, ...props } = writable;
      await this.request('PATCH', this.url(v, fill(`${subtype.collection}/{id}`, id)), props);
      if (Array.isArray(apps)) {
        await this.request('POST', this.url(v, `${item}/targetApps`), { apps: (apps as Array<Record<string, unknown>>).map((a) => ({ mobileAppIdentifier: a.mobileAppIdentifier })) });
      }
      assignPath = subtype.assign ? `${fill(`${subtype.collection}/{id}`, id)}/assign` : null;
    } else if (category === 'deviceCompliancePolicies') {
      const { scheduledActionsForRule, ...props } = writable;
      await this.request('PATCH', this.url(v, item), props);
      if (Array.isArray(scheduledActionsForRule)) {
        await this.request('POST', this.url(v, `${item}/scheduleActionsForRules`), { deviceComplianceScheduledActionForRules: scheduledActionsForRule.map(withoutIds) });
      }
    } else if (category === 'configurationPolicies') {
      const { name, description, platforms, technologies, roleScopeTagIds, templateReference, settings } = writable;
      await this.request('PATCH', this.url(v, item), dropUndefined({ name, description, platforms, technologies, roleScopeTagIds, templateReference, settings: Array.isArray(settings) ? settings.map(withoutIds) : undefined }));
    } else if (category === 'groupPolicyConfigurations') {
      const { definitionValues, ...props } = writable;
      await this.request('PATCH', this.url(v, item), props);
      if (Array.isArray(definitionValues)) await this.updateDefinitionValues(v, item, definitionValues as Array<Record<string, unknown>>);
    } else {
      await this.request('PATCH', this.url(v, item), writable);
    }
    if (!policy.assignments) return;
    if (current && sameAssignments(current.assignments, policy.assignments)) return;
    if (!assignPath) {
      throw new GraphError('graph_assign_unsupported', `Graph has no assign action for ${String(writable['@odata.type'] ?? category)} policies in its published path tree; assignments of ${id} were not changed`);
    }
    await this.request('POST', this.url(v, assignPath), { assignments: policy.assignments.map(({ target }) => ({ target })) });
  }

  /** One page of the tenant's directory groups. */
  /** The tenant's organization (issue 19, the connection check): its id and display name. */
  async getOrganization(): Promise<{ id: string; displayName: string } | null> {
    const page = await this.getPage(this.url(ORGANIZATION.version, `${ORGANIZATION.path}?$select=id,displayName`));
    const org = page.items[0];
    return org ? { id: String(org.id ?? ''), displayName: String(org.displayName ?? '') } : null;
  }

  async listGroups(nextLink?: string | null): Promise<GraphPage<DirectoryGroup>> {
    const page = await this.getPage(nextLink ?? this.url(GROUPS_VERSION, 'groups?$select=id,displayName,mail,description,securityEnabled,mailEnabled'));
    return { items: page.items.map(toGroup), nextLink: page.nextLink };
  }

  /**
   * RBAC group search (§5) with the caller's delegated token: used for this one request, never
   * cached, stored or logged.
   */
  async searchGroups(q: string, delegatedToken: string, top = 25): Promise<Array<Pick<DirectoryGroup, 'id' | 'displayName' | 'mail'>>> {
    const search = `"displayName:${q.replace(/["\\]/g, '\\$&')}"`;
    const url = this.url(GROUPS_VERSION, `groups?$search=${encodeURIComponent(search)}&$select=id,displayName,mail&$top=${top}`);
    const body = (await this.request('GET', url, undefined, { token: delegatedToken, headers: { ConsistencyLevel: 'eventual' } })) as { value?: unknown[] };
    return (body.value ?? []).map(toGroup).filter((g) => isGraphGuid(g.id)).map(({ id, displayName, mail }) => ({ id, displayName, mail }));
  }

  private url(version: GraphVersion, relative: string): string {
    return `${this.root}/${version}/${relative}`;
  }

  /** An administrative template's values, each with its `definition` and its `presentationValues` (each with its `presentation`). */
  private async definitionValues(v: GraphVersion, item: string): Promise<Array<Record<string, unknown>>> {
    const values = (await this.getAll(this.url(v, `${item}/definitionValues?$expand=definition`))) as Array<Record<string, unknown>>;
    const out: Array<Record<string, unknown>> = [];
    for (const value of values) {
      const valueId = String(value.id);
      if (!isGraphGuid(valueId)) throw new GraphError('graph_error', `Graph answered a definition value id that is not a GUID`);
      const presentationValues = await this.getAll(this.url(v, `${fill(`${item}/definitionValues/{id}/presentationValues`, valueId)}?$expand=presentation`));
      out.push({ ...stripAnnotations(value), presentationValues: presentationValues.map((p) => stripAnnotations(p as Record<string, unknown>)) });
    }
    return out;
  }

  /**
   * Restores administrative-template values through `updateDefinitionValues` (beta doc
   * intune-grouppolicy-grouppolicyconfiguration-updatedefinitionvalues): values are matched to what
   * the policy holds now by their definition; values point at definitions and presentations by
   * `definition@odata.bind` / `presentation@odata.bind`.
   */
  private async updateDefinitionValues(v: GraphVersion, item: string, wanted: Array<Record<string, unknown>>): Promise<void> {
    const current = (await this.definitionValues(v, item)) as Array<Record<string, unknown>>;
    const defId = (x: Record<string, unknown>) => String((x.definition as Record<string, unknown> | undefined)?.id ?? '');
    const byDefinition = new Map(current.map((c) => [defId(c), c]));
    const bind = (path: string) => `${this.root}/${v}/${path}`;
    const toBody = (x: Record<string, unknown>) => {
      const definitionId = defId(x);
      if (!isGraphGuid(definitionId)) throw new GraphError('graph_bad_request', 'a backed-up definition value has no definition id');
      return {
        enabled: x.enabled,
        'definition@odata.bind': bind(`deviceManagement/groupPolicyDefinitions('${definitionId}')`),
        presentationValues: ((x.presentationValues ?? []) as Array<Record<string, unknown>>).map((pv) => {
          const { id: _i, presentation, lastModifiedDateTime: _l, createdDateTime: _c, ...rest } = pv;
          const presentationId = String((presentation as Record<string, unknown> | undefined)?.id ?? '');
          return { ...rest, ...(isGraphGuid(presentationId) ? { 'presentation@odata.bind': bind(`deviceManagement/groupPolicyDefinitions('${definitionId}')/presentations('${presentationId}')`) } : {}) };
        }),
      };
    };
    const added: unknown[] = [];
    const updated: unknown[] = [];
    const keep = new Set<string>();
    for (const w of wanted) {
      const now = byDefinition.get(defId(w));
      if (now) {
        keep.add(String(now.id));
        updated.push({ id: now.id, ...toBody(w) });
      } else {
        added.push(toBody(w));
      }
    }
    const deletedIds = current.map((c) => String(c.id)).filter((cid) => !keep.has(cid));
    await this.request('POST', this.url(v, `${item}/updateDefinitionValues`), { added, updated, deletedIds });
  }

  /** An expanded collection, following `<name>@odata.nextLink` (settings are paged, reported 25 per page). */
  private async expandedAll(body: Record<string, unknown>, name: string): Promise<unknown[]> {
    const items = Array.isArray(body[name]) ? [...(body[name] as unknown[])] : [];
    let link = (body[`${name}@odata.nextLink`] as string | undefined) ?? null;
    while (link) {
      const page = await this.getPage(link);
      items.push(...page.items);
      link = page.nextLink;
    }
    return items.map((x) => stripAnnotations(x as Record<string, unknown>));
  }

  /** Every page of a collection. */
  private async getAll(url: string): Promise<unknown[]> {
    const items: unknown[] = [];
    let link: string | null = url;
    while (link) {
      const page = await this.getPage(link);
      items.push(...page.items);
      link = page.nextLink;
    }
    return items;
  }

  private async getPage(url: string): Promise<GraphPage<Record<string, unknown>>> {
    // Our bearer token goes wherever the URL points: only to this tenant's Graph root.
    if (!url.startsWith(`${this.root}/`)) {
      let host = 'an unparsable URL';
      try { host = new URL(url).host; } catch { /* keep */ }
      throw new GraphError('graph_error', `Graph answered a nextLink to another host (${host})`);
    }
    const body = (await this.request('GET', url)) as { value?: Record<string, unknown>[]; '@odata.nextLink'?: string };
    const nextLink = body['@odata.nextLink'] ?? null;
    if (nextLink && !nextLink.startsWith(`${this.root}/`)) {
      let host = 'an unparsable URL';
      try { host = new URL(nextLink).host; } catch { /* keep */ }
      throw new GraphError('graph_error', `Graph answered a nextLink to another host (${host})`);
    }
    return { items: body.value ?? [], nextLink };
  }

  /** Ms left of this client's budget. */
  private left(): number {
    return this.budgetMs();
  }

  /** One Graph request with retries; a 401 with our app token refreshes the token once. */
  private async request(method: string, url: string, body?: unknown, opts: { token?: string; headers?: Record<string, string> } = {}): Promise<unknown> {
    const where = describe(url, this.root);
    let refreshed = false;
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      const token = opts.token ?? (await this.appToken(fresh));
      fresh = false;
      // One reading of the budget per attempt: the check and the request's timeout agree.
      const budget = this.left();
      if (budget < MIN_REQUEST_MS) throw new GraphError('graph_unavailable', `no time left in this invocation's budget for ${method} ${where}`, null, null, 0);
      let res: Response;
      const direct = () => this.fetchFn(url, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(Math.min(this.requestTimeoutMs, budget)),
      });
      try {
        res = method === 'GET' && !opts.token && this.batching ? await this.enqueue(url, opts.headers ?? {}, direct) : await direct();
      } catch (err) {
        // The $batch that carried this request failed as a whole (after its own retries): that is the answer.
        if (err instanceof GraphError) throw err;
        // Cut off by our own budget, not Graph's fault: continue at once in a new invocation.
        if (this.left() < MIN_REQUEST_MS) throw new GraphError('graph_unavailable', `no time left in this invocation's budget for ${method} ${where}`, null, null, 0);
        const delay = this.backoff(attempt, null);
        if (attempt < this.maxRetries && this.fits(delay)) {
          await this.sleep(delay);
          continue;
        }
        throw new GraphError('graph_unavailable', `Graph could not be reached for ${where}: ${(err as Error).message}`, null, null, attempt < this.maxRetries ? delay : null);
      }
      if (res.ok) return res.status === 204 ? null : parseJson(await res.text());
      if (res.status === 401 && !opts.token && !refreshed) {
        // Graph refused our token (revoked, or the app's permissions changed): one fresh one, past MSAL's cache.
        refreshed = true;
        fresh = true;
        await drain(res);
        continue;
      }
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      let deferMs: number | null = null;
      if (RETRYABLE.has(res.status) && attempt < this.maxRetries) {
        const delay = this.backoff(attempt, retryAfterMs);
        if ((retryAfterMs ?? 0) <= this.maxRetryAfterMs && this.fits(delay)) {
          await drain(res);
          await this.sleep(delay);
          continue;
        }
        // Longer than this invocation may wait: the caller continues later instead of sleeping.
        deferMs = delay;
      }
      throw await toGraphError(res, method, where, retryAfterMs, deferMs);
    }
  }

  /** Whether waiting `delayMs` still leaves time for the request after it. */
  private fits(delayMs: number): boolean {
    return delayMs + MIN_REQUEST_MS <= this.left();
  }

  /** Retry-After when Graph gave one (plus ≤10 % jitter so callers spread out), else capped exponential with full jitter. */
  private backoff(attempt: number, retryAfterMs: number | null): number {
    if (retryAfterMs !== null) return retryAfterMs + Math.floor(this.random() * retryAfterMs * 0.1);
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(cap / 2 + this.random() * (cap / 2));
  }

  /**
   * Queues a GET for the next $batch of its API version (v1.0 and beta requests never share one).
   * The queue is flushed once the current burst of work has queued its reads (setImmediate); a lone
   * request goes out as itself. Each sub-response comes back as a Response, so request() applies the
   * same retry policy to it as to a direct answer: a 429 inside a batch is retried alone, after its
   * own Retry-After, within the same budget, in a later batch.
   */
  private enqueue(url: string, headers: Record<string, string>, direct: () => Promise<Response>): Promise<Response> {
    const version = (['v1.0', 'beta'] as const).find((v) => url.startsWith(`${this.root}/${v}/`));
    if (!version) return direct();
    return new Promise<Response>((resolve, reject) => {
      if (this.queued.length === 0) setImmediate(() => this.flush());
      this.queued.push({ version, relative: url.slice(`${this.root}/${version}/`.length), headers, resolve, reject, direct });
    });
  }

  private flush() {
    const queued = this.queued;
    this.queued = [];
    for (const version of ['v1.0', 'beta'] as const) {
      const mine = queued.filter((q) => q.version === version);
      for (let k = 0; k < mine.length; k += BATCH_LIMIT) {
        const batch = mine.slice(k, k + BATCH_LIMIT);
        if (batch.length === 1) batch[0].direct().then(batch[0].resolve, batch[0].reject);
        else void this.sendBatch(version, batch);
      }
    }
  }

  private async sendBatch(version: GraphVersion, batch: Pending[]): Promise<void> {
    try {
      const answer = (await this.request('POST', this.url(version, '$batch'), {
        requests: batch.map((p, k) => ({ id: String(k + 1), method: 'GET', url: `/${p.relative}`, ...(Object.keys(p.headers).length ? { headers: p.headers } : {}) })),
      })) as { responses?: Array<{ id?: string; status?: number; headers?: Record<string, string>; body?: unknown }> };
      const byId = new Map((answer?.responses ?? []).map((r) => [String(r.id), r]));
      batch.forEach((p, k) => {
        const r = byId.get(String(k + 1));
        if (!r || typeof r.status !== 'number') return p.reject(new GraphError('graph_error', 'Graph answered a $batch without a response for one of its requests'));
        const noBody = r.status === 204 || r.body === undefined;
        p.resolve(new Response(noBody ? null : JSON.stringify(r.body), { status: r.status, headers: r.headers ?? {} }));
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** The app's token, kept until MSAL would renew it; concurrent callers share one acquisition. */
  private async appToken(fresh = false): Promise<string> {
    const t = this.tokens;
    if (!fresh && t.token && t.token.until > this.now()) return t.token.value;
    if (!t.source) throw new GraphError('graph_auth_failed', 'this Graph client has no app credential source (delegated calls only)');
    const source = t.source;
    const io: TokenIo = {
      fetch: this.fetchFn, sleep: this.sleep, now: this.now, left: () => this.left(), backoff: (a, r) => this.backoff(a, r), fits: (d) => this.fits(d),
      maxRetries: this.maxRetries, maxRetryAfterMs: this.maxRetryAfterMs, requestTimeoutMs: this.requestTimeoutMs,
    };
    t.inFlight ??= source.token(io, fresh).then((tok) => {
      t.token = { value: tok.value, until: tok.expiresAt - TOKEN_RENEWAL_MS };
      return tok.value;
    }).finally(() => { t.inFlight = null; });
    return t.inFlight;
  }
}

/** Throws graph_bad_request (status 400) unless `id` is a Graph policy id (shared/graph/ids.ts): before any URL is built. */
export function checkPolicyId(id: string) {
  if (!isGraphPolicyId(id)) throw new GraphError('graph_bad_request', `policy id ${JSON.stringify(String(id).slice(0, 80))} ${GRAPH_POLICY_ID_MESSAGE}`, 400);
}

function requireSubtype(odataType: unknown, id: string): AppSubtype {
  const s = appSubtypeOf(odataType);
  if (!s) throw new GraphError('graph_bad_request', `app policy ${id} has a type (${String(odataType)}) without a subtype collection (known: ${APP_SUBTYPES.map((x) => x.odataType.split('.').pop()).join(', ')})`);
  return s;
}

function withoutIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutIds);
  if (!x || typeof x !== 'object') return x;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (k !== 'id') out[k] = withoutIds(v);
  return out;
}

function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function sameAssignments(a: PolicyAssignment[], b: PolicyAssignment[]): boolean {
  const key = (xs: PolicyAssignment[]) => xs.map((x) => JSON.stringify(x.target, Object.keys(x.target ?? {}).sort())).sort().join('|');
  return key(a) === key(b);
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

export async function toGraphError(res: Response, method: string, where: string, retryAfterMs: number | null, deferMs: number | null = null): Promise<GraphError> {
  const text = await res.text().catch(() => '');
  const body = parseJson(text) as { error?: { code?: string; message?: string } | string; error_description?: string } | null;
  const detail =
    typeof body?.error === 'object' ? [body.error.code, body.error.message].filter(Boolean).join(': ')
    : [body?.error, body?.error_description].filter(Boolean).join(': ') || text.slice(0, 200);
  return new GraphError(codeForStatus(res.status), `Graph answered ${res.status} to ${method} ${where}${detail ? ` (${detail})` : ''}`, res.status, retryAfterMs, deferMs);
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
