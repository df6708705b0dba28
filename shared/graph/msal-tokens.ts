/**
 * App tokens through Microsoft's own library (issue 13 §9): one MSAL ConfidentialClientApplication
 * per tenant client — the tenant clients are cached per container (tenant-clients.ts), so MSAL's
 * in-memory token cache is reused across invocations of a warm Lambda — with
 *   - the authority of the tenant's national cloud: `https://{login host}/{directory tenant}`
 *     (shared/graph/clouds.ts) and the scope `{graph root}/.default`;
 *   - a client secret or a certificate credential (MSAL signs the client assertion: PS256 with the
 *     `x5t#S256` thumbprint and the `x5c` chain), as resolved from the tenant's `secretRef`;
 *   - the authority's OpenID metadata and cloud discovery metadata given up front (`authorityMetadata`,
 *     `cloudDiscoveryMetadata`, `knownAuthorities`): MSAL makes no discovery request, so the first token
 *     of a cold start costs one round trip, not three, and nothing but the token endpoint is called;
 *   - MSAL's network module replaced by ours (`system.networkClient`): requests go through the client's
 *     `fetch` within the caller's time budget and retry policy, and — only when the tenant's token
 *     endpoint is a loopback URL, i.e. the local simulator — the cloud's login host is mapped to it.
 * MSAL's own errors become graph_auth_failed; throttling and outages of the token endpoint stay
 * transient GraphErrors (graph_throttled / graph_unavailable) with their deferral.
 */
import { createHash } from 'node:crypto';
import type { ConfidentialClientApplication, INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { AppToken, AppTokenSettings, AppTokenSource, AppTokenSourceFactory, TokenIo } from './app-tokens.js';
import { MIN_REQUEST_MS, RETRYABLE, parseRetryAfter, toGraphError } from './client.js';
import { tokenAuthority, type TokenAuthority } from './clouds.js';
import { GraphError } from './errors.js';
import { InvalidCredentialError, SecretNotFoundError, type GraphCredential, type SecretResolver } from './secrets.js';
import { registerSecret } from '../runs/secret-registry.js';
import { memoizeAsync } from '../concurrency.js';

/**
 * MSAL is loaded when the first token is needed, not when the worker's bundle is imported: it is
 * most of the worker's code (~220 KiB minified), and a cold start that finds its token cached, or
 * never reaches Graph, neither compiles nor evaluates it. Loaded once per container.
 *
 * Deployed, it is a chunk of its own beside the worker's index.mjs: the worker is built with esbuild's
 * code splitting (infra/constructs/bundling-options.ts), which turns this import()
 * into one of that chunk.
 */
type MsalApp = typeof import('./msal-app.js');
// A failed load (a file system hiccup) is tried again on the next token.
const loadMsal = memoizeAsync(() => import('./msal-app.js'));

export const msalAppTokens: AppTokenSourceFactory = (args) => new MsalTokenSource(args.settings, args.graphRoot, args.scope, args.secrets);

/** The OpenID configuration MSAL would otherwise fetch from `{authority}/v2.0/.well-known/openid-configuration`. */
export function authorityMetadataOf(where: TokenAuthority) {
  return {
    token_endpoint: where.tokenEndpoint,
    authorization_endpoint: `${where.authority}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${where.authority}/oauth2/v2.0/logout`,
    issuer: `${where.authority}/v2.0`,
    jwks_uri: `${where.authority}/discovery/v2.0/keys`,
  };
}

/** The instance discovery answer MSAL would otherwise fetch from `https://{login host}/common/discovery/instance`. */
export function cloudDiscoveryMetadataOf(where: TokenAuthority) {
  return {
    tenant_discovery_endpoint: `${where.authority}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: where.loginHost, preferred_cache: where.loginHost, aliases: [where.loginHost] }],
  };
}

class MsalTokenSource implements AppTokenSource {
  private app: { key: string; cca: ConfidentialClientApplication; network: BudgetedNetwork } | null = null;
  private where: TokenAuthority | null = null;

  constructor(private readonly settings: AppTokenSettings, private readonly graphRoot: string, private readonly scope: string, private readonly secrets: SecretResolver) {}

  async token(io: TokenIo, fresh: boolean): Promise<AppToken> {
    const where = (this.where ??= tokenAuthority(this.graphRoot, this.settings.tokenUrl));
    const credential = await this.credential();
    const msal = await loadMsal();
    // A rotated secret (the resolver re-reads it after its TTL) gets a new application and cache.
    const key = createHash('sha256').update(JSON.stringify(credential)).digest('base64url');
    if (!this.app || this.app.key !== key) this.app = { key, ...build(msal, this.settings.clientId, where, credential) };
    const { cca, network } = this.app;
    network.io = io;
    network.lastError = null;
    try {
      const result = await cca.acquireTokenByClientCredential({ scopes: [this.scope], skipCache: fresh });
      if (!result?.accessToken) throw new GraphError('graph_auth_failed', 'the token endpoint answered without an access token');
      return { value: registerSecret(result.accessToken), expiresAt: result.expiresOn?.getTime() ?? io.now() + 3_600_000 };
    } catch (err) {
      if (err instanceof GraphError) throw err;
      // Our network module's own verdict (throttled, unreachable, out of budget), which MSAL wraps as a network error.
      if (network.lastError) throw network.lastError;
      throw new GraphError('graph_auth_failed', `the app could not sign in to ${where.loginHost}: ${describeMsalError(err)}`);
    }
  }

  private async credential(): Promise<GraphCredential> {
    try {
      return await this.secrets.resolve(this.settings.secretRef);
    } catch (err) {
      if (err instanceof SecretNotFoundError || err instanceof InvalidCredentialError) throw new GraphError('graph_auth_failed', err.message);
      throw err;
    }
  }
}

function build(msal: MsalApp, clientId: string, where: TokenAuthority, credential: GraphCredential) {
  const network = new BudgetedNetwork(where);
  const cca = new msal.ConfidentialClientApplication({
    auth: {
      clientId,
      authority: where.authority,
      knownAuthorities: [where.loginHost],
      authorityMetadata: JSON.stringify(authorityMetadataOf(where)),
      cloudDiscoveryMetadata: JSON.stringify(cloudDiscoveryMetadataOf(where)),
      ...(credential.kind === 'secret'
        ? { clientSecret: credential.clientSecret }
        : { clientCertificate: { thumbprintSha256: credential.thumbprintSha256, privateKey: credential.privateKeyPem, x5c: credential.certificatePem } }),
    },
    system: { networkClient: network, loggerOptions: { piiLoggingEnabled: false, logLevel: msal.LogLevel.Error, loggerCallback: () => undefined } },
  });
  return { cca, network };
}

function describeMsalError(err: unknown): string {
  const e = err as { errorCode?: string; errorMessage?: string; message?: string };
  const text = e.errorCode ? [e.errorCode, e.errorMessage].filter(Boolean).join(': ') : String(e.message ?? err);
  return text.split(/\r?\n/)[0].slice(0, 300);
}

/**
 * MSAL's network module: the calling client's fetch, budget and retry policy. Only the cloud's login
 * host is ever called (our secret and assertions go nowhere else); locally that host is the simulator.
 */
class BudgetedNetwork implements INetworkModule {
  io: TokenIo | null = null;
  lastError: GraphError | null = null;

  constructor(private readonly where: TokenAuthority) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private fail(err: GraphError): GraphError {
    this.lastError = err;
    return err;
  }

  private async send<T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const io = this.io;
    if (!io) throw this.fail(new GraphError('graph_auth_failed', 'MSAL called the network outside a token request'));
    const target = new URL(url);
    if (target.protocol !== 'https:' || target.host !== this.where.loginHost) {
      throw this.fail(new GraphError('graph_auth_failed', `MSAL asked for ${target.host}, which is not the tenant's login host ${this.where.loginHost}`));
    }
    const to = this.where.loopbackOrigin ? `${this.where.loopbackOrigin}${target.pathname}${target.search}` : url;
    const body = options?.body;
    if (body) {
      const form = new URLSearchParams(body);
      registerSecret(form.get('client_secret'));
      registerSecret(form.get('client_assertion'));
    }
    for (let attempt = 0; ; attempt++) {
      if (io.left() < MIN_REQUEST_MS) throw this.fail(new GraphError('graph_unavailable', "no time left in this invocation's budget for the token endpoint", null, null, 0));
      let res: Response;
      try {
        res = await io.fetch(to, { method, headers: options?.headers, body, signal: AbortSignal.timeout(Math.max(1, Math.min(io.requestTimeoutMs, io.left()))) });
      } catch (err) {
        const delay = io.backoff(attempt, null);
        if (attempt < io.maxRetries && io.fits(delay)) { await io.sleep(delay); continue; }
        throw this.fail(new GraphError('graph_unavailable', `the token endpoint could not be reached: ${(err as Error).message}`));
      }
      if (RETRYABLE.has(res.status)) {
        const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), io.now());
        const delay = io.backoff(attempt, retryAfterMs);
        if (attempt < io.maxRetries && (retryAfterMs ?? 0) <= io.maxRetryAfterMs && io.fits(delay)) {
          await res.arrayBuffer().catch(() => undefined);
          await io.sleep(delay);
          continue;
        }
        throw this.fail(await toGraphError(res, method, 'the token endpoint', retryAfterMs, attempt < io.maxRetries ? delay : null));
      }
      // Success or Entra's error body (invalid_client, AADSTS…): MSAL reads both.
      const text = await res.text().catch(() => '');
      let parsed: unknown = {};
      try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { error: 'invalid_response', error_description: `the token endpoint answered ${res.status} without JSON` }; }
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => { headers[k] = v; });
      return { headers, body: parsed as T, status: res.status };
    }
  }
}
