/**
 * Resolving a tenant's `secretRef` to its Graph app credential. In AWS the secret lives in Secrets
 * Manager (§9); locally, refs of the form `local:<name>` resolve from a seed-backed map, so the local
 * runtime needs no AWS and fixtures carry only obviously fake secrets.
 *
 * A secret's value is JSON, as POST /tenants writes it:
 *   {"clientSecret":"…"}                                                    a client secret
 *   {"certificatePem":"…","privateKeyPem":"…","thumbprintSha256":"…"}    a certificate credential
 * A plain (non-JSON) string is a client secret, as stored before that format existed. Every secret
 * part is registered with the sanitizer as it is resolved.
 */
import { registerSecret } from '../runs/secret-registry.js';
import { readSecretString, type SecretReader } from '../store/secret-read.js';
import { LOCAL_SECRET_PREFIX, localSecretBook } from './local-secret-book.js';

export { LOCAL_SECRET_PREFIX } from './local-secret-book.js';

export type GraphCredential =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificatePem: string; privateKeyPem: string; thumbprintSha256: string };

export interface SecretResolver {
  resolve(secretRef: string): Promise<GraphCredential>;
}

export class InvalidCredentialError extends Error {
  constructor(readonly secretRef: string, reason: string) {
    super(`the secret ${secretRef} is not a Graph app credential: ${reason}`);
    this.name = 'InvalidCredentialError';
  }
}

const SHA256_HEX = /^[0-9A-Fa-f]{64}$/;

/** A stored secret value as a typed credential, its secret parts registered with the sanitizer. The value itself never goes into an error. */
export function parseCredential(secretRef: string, value: string): GraphCredential {
  let parsed: unknown;
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new InvalidCredentialError(secretRef, 'it starts like JSON but does not parse');
    }
  } else {
    registerSecret(value);
    return { kind: 'secret', clientSecret: value };
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  if (typeof o.clientSecret === 'string' && o.clientSecret) {
    if ('privateKeyPem' in o) throw new InvalidCredentialError(secretRef, 'it holds both a client secret and a certificate');
    return { kind: 'secret', clientSecret: registerSecret(o.clientSecret) };
  }
  const { certificatePem, privateKeyPem, thumbprintSha256 } = o;
  if (typeof certificatePem === 'string' && typeof privateKeyPem === 'string' && typeof thumbprintSha256 === 'string') {
    if (!certificatePem.includes('-----BEGIN CERTIFICATE-----')) throw new InvalidCredentialError(secretRef, 'certificatePem is not a PEM certificate');
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKeyPem)) throw new InvalidCredentialError(secretRef, 'privateKeyPem is not a PEM private key');
    const thumbprint = thumbprintSha256.replace(/:/g, '');
    if (!SHA256_HEX.test(thumbprint)) throw new InvalidCredentialError(secretRef, 'thumbprintSha256 is not 64 hex digits');
    registerSecret(privateKeyPem);
    // The key's base64 body as one line too, in case something prints it without the PEM armour.
    registerSecret(privateKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''));
    return { kind: 'certificate', certificatePem, privateKeyPem, thumbprintSha256: thumbprint.toUpperCase() };
  }
  throw new InvalidCredentialError(secretRef, 'expected {"clientSecret"} or {"certificatePem","privateKeyPem","thumbprintSha256"}');
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
 * `local:<name>` → a fixed map, then the local secret book (credentials given through the API:
 * local-secret-book.ts), then the fallback (default: the sim's fake secret, the seed's `local:graph-sim`).
 */
export class LocalSecretResolver implements SecretResolver {
  constructor(private readonly secrets: Record<string, string> = {}, private readonly fallback: string | null = LOCAL_SIM_SECRET) {}

  async resolve(secretRef: string): Promise<GraphCredential> {
    const name = secretRef.startsWith(LOCAL_SECRET_PREFIX) ? secretRef.slice(LOCAL_SECRET_PREFIX.length) : secretRef;
    const stored = localSecretBook().get(name);
    const value = this.secrets[name] ?? stored ?? this.fallback;
    if (value == null) throw new SecretNotFoundError(secretRef);
    return parseCredential(secretRef, value);
  }
}

/**
 * Secrets Manager, cached for the container's life (a rotated secret is picked up on cold start or
 * after `ttlMs`). Its client loads on the first read (shared/store/secret-read.ts).
 */
export class SecretsManagerSecretResolver implements SecretResolver {
  private readonly cache = new Map<string, { value: GraphCredential; until: number }>();
  constructor(private readonly read: SecretReader = readSecretString, private readonly ttlMs = 5 * 60_000) {}

  async resolve(secretRef: string): Promise<GraphCredential> {
    const hit = this.cache.get(secretRef);
    if (hit && hit.until > Date.now()) return hit.value;
    const stored = await this.read(secretRef);
    if (!stored) throw new SecretNotFoundError(secretRef);
    const value = parseCredential(secretRef, stored);
    this.cache.set(secretRef, { value, until: Date.now() + this.ttlMs });
    return value;
  }
}

/** Routes `local:` refs to the local map and everything else (ARNs, names) to Secrets Manager. */
export class RoutingSecretResolver implements SecretResolver {
  constructor(private readonly local: SecretResolver = new LocalSecretResolver(), private readonly aws: () => SecretResolver = lazy(() => new SecretsManagerSecretResolver())) {}

  resolve(secretRef: string): Promise<GraphCredential> {
    return secretRef.startsWith(LOCAL_SECRET_PREFIX) ? this.local.resolve(secretRef) : this.aws().resolve(secretRef);
  }
}

function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= make());
}
