/**
 * GetSecretValue for the two readers of secrets — the cursor signing key (./cursor-key.ts) and the
 * tenants' Graph credentials (shared/graph/secrets.ts) — through one Secrets Manager client per
 * container, loaded with its module on the first read: a cold start that reads no secret (the run
 * worker's, when its token and key are not needed yet) neither reads nor compiles the client
 * (issue 18 item 1). A failed load is tried again on the next read.
 *
 * GetSecretValue answers the secret's current version (AWSCURRENT) when no version is named, in
 * `SecretString` for a string secret (Secrets Manager API Reference, GetSecretValue).
 */
import { memoizeAsync } from '../concurrency.js';
import { traced } from '../observability/tracer.js';

export type SecretReader = (secretId: string) => Promise<string | undefined>;

const reader = memoizeAsync(async (): Promise<SecretReader> => {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('./secrets-manager-app.js');
  const client = traced(new SecretsManagerClient({}));
  return async (id) => (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
});

export const readSecretString: SecretReader = async (secretId) => (await reader())(secretId);

/** For tests: forget the client (the next read loads it again). */
export const resetSecretReader = (): void => reader.reset();
