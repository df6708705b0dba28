/**
 * The seam between the Graph client and where its app tokens come from. The workers plug in MSAL
 * (shared/graph/msal-tokens.ts); a client built without a source (group search: delegated tokens
 * only) cannot call Graph as the app — which keeps MSAL out of the API bundles.
 */
import type { SecretResolver } from './secrets.js';

/** The calling client's transport and time budget, so a token request obeys the same budget as Graph calls. */
export interface TokenIo {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** ms left of the caller's budget */
  left: () => number;
  /** the wait before retry `attempt` (Retry-After when given) */
  backoff: (attempt: number, retryAfterMs: number | null) => number;
  /** whether waiting `delayMs` still leaves time for another request */
  fits: (delayMs: number) => boolean;
  maxRetries: number;
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
}

export interface AppToken {
  value: string;
  /** epoch ms */
  expiresAt: number;
}

export interface AppTokenSource {
  /** A token for the client's Graph scope; `fresh` skips every cache (Graph refused the last one). */
  token(io: TokenIo, fresh: boolean): Promise<AppToken>;
}

/** The part of a tenant's Graph settings a token source reads. */
export interface AppTokenSettings {
  tokenUrl: string;
  clientId: string;
  secretRef: string;
}

export type AppTokenSourceFactory = (args: { settings: AppTokenSettings; graphRoot: string; scope: string; secrets: SecretResolver }) => AppTokenSource;
