/**
 * Resolving a tenant's `secretRef` to its Graph client secret. In AWS the secret lives in Secrets
 * Manager (§9); locally, refs of the form `local:<name>` resolve from a seed-backed map, so the local
 * runtime needs no AWS and fixtures carry only obviously fake secrets.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { traced } from '../observability/tracer.js';
import { registerSecret } from '../runs/secret-registry.js';
import { LOCAL_SECRET_PREFIX, localSecretBook } from './local-secret-book.js';

export { LOCAL_SECRET_PREFIX } from './local-secret-book.js';

export interface SecretResolver {
  resolve(secretRef: string): Promise<string>;
}

export class SecretNotFoundError extends Error {
  constructor(readonly secretRef: string) {
    super(`no secret for ref ${secretRef}`);
    this.name = 'SecretNotFoundError';
  }
}

/** The simulated Graph's one accepted client secret: deliberately not secret-looking. */
export const LOCAL_SIM_SECRET = 'local-sim-secret';

/**
 * A stored secret string as the client secret: the agreed JSON `{ "clientSecret": … }` gives its
 * member; a plain string is the secret itself; any other JSON (a certificate) is passed on as it is.
 */
export function storedSecretValue(stored: string): string {
  try {
    const parsed = JSON.parse(stored);
    if (parsed && typeof parsed.clientSecret === 'string') return parsed.clientSecret;
  } catch { /* plain string */ }
  return stored;
}

/**
 * `local:<name>` → a fixed map, then the local secret book (credentials given through the API:
 * local-secret-book.ts), then the fallback (default: the sim's fake secret, the seed's `local:graph-sim`).
 */
export class LocalSecretResolver implements SecretResolver {
  constructor(private readonly secrets: Record<string, string> = {}, private readonly fallback: string | null = LOCAL_SIM_SECRET) {}

  async resolve(secretRef: string): Promise<string> {
    const name = secretRef.startsWith(LOCAL_SECRET_PREFIX) ? secretRef.slice(LOCAL_SECRET_PREFIX.length) : secretRef;
    const stored = localSecretBook().get(name);
    const value = this.secrets[name] ?? (stored === undefined ? undefined : storedSecretValue(stored)) ?? this.fallback;
    if (value == null) throw new SecretNotFoundError(secretRef);
    return registerSecret(value);
  }
}

/** Secrets Manager, cached for the container's life (a rotated secret is picked up on cold start or after `ttlMs`). */
export class SecretsManagerSecretResolver implements SecretResolver {
  private readonly cache = new Map<string, { value: string; until: number }>();
  constructor(private readonly client: SecretsManagerClient = traced(new SecretsManagerClient({})), private readonly ttlMs = 5 * 60_000) {}

  async resolve(secretRef: string): Promise<string> {
    const hit = this.cache.get(secretRef);
    if (hit && hit.until > Date.now()) return hit.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretRef }));
    if (!out.SecretString) throw new SecretNotFoundError(secretRef);
    // A JSON secret may hold { clientSecret }; a plain string is the secret itself.
    const value = storedSecretValue(out.SecretString);
    this.cache.set(secretRef, { value: registerSecret(value), until: Date.now() + this.ttlMs });
    return value;
  }
}

/** Routes `local:` refs to the local map and everything else (ARNs, names) to Secrets Manager. */
export class RoutingSecretResolver implements SecretResolver {
  constructor(private readonly local: SecretResolver = new LocalSecretResolver(), private readonly aws: () => SecretResolver = lazy(() => new SecretsManagerSecretResolver())) {}

  resolve(secretRef: string): Promise<string> {
    return secretRef.startsWith(LOCAL_SECRET_PREFIX) ? this.local.resolve(secretRef) : this.aws().resolve(secretRef);
  }
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}
