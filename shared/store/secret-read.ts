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
import { traced } from '../observability/tracer.js';

type SecretsManagerApp = typeof import('./secrets-manager-app.js');
export type SecretReader = (secretId: string) => Promise<string | undefined>;

let reader: Promise<SecretReader> | undefined;

export function readSecretString(secretId: string, load: () => Promise<SecretsManagerApp> = () => import('./secrets-manager-app.js')): Promise<string | undefined> {
  reader ??= load().then(
    ({ GetSecretValueCommand, SecretsManagerClient }) => {
      const client = traced(new SecretsManagerClient({}));
      return async (id: string) => (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
    },
    (err: unknown) => {
      reader = undefined;
      throw err;
    },
  );
  return reader.then((read) => read(secretId));
}

/** For tests: forget the client (the next read loads it again). */
export function resetSecretReader(): void {
  reader = undefined;
}
