/**
 * The secret-writing port (issue 19): where a tenant's Graph credential is put when a tenant is
 * created or its credential rotated. `put(name, value)` creates the secret, or stores a new value
 * when one of that name exists, and answers the reference the tenant's Graph settings keep
 * (`secretRef`); shared/graph/secrets.ts resolves that reference again.
 *
 * - Secrets Manager (AWS): CreateSecret, or PutSecretValue when the name exists; the reference is
 *   the secret's ARN. Names are `GRAPH_SECRET_PREFIX<tenant>/<ulid>`, so the API's IAM grant is
 *   scoped to that prefix (infra/constructs/operation-function.ts).
 * - Local (the local runtime, tests): refs `local:<name>`, kept in LOCAL_SECRETS_FILE (a JSON file
 *   under LOCAL_STATE_DIR, so it survives a restart of `npm start`) or in memory when that is unset
 *   (LOCAL_IN_MEMORY=1, tests). LocalSecretResolver reads the same book.
 */
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { settings } from '../settings.js';
import { traced } from '../observability/tracer.js';
import { localSecretBook } from './local-secret-book.js';

export interface SecretWriter {
  /** Creates `name` with `value`, or replaces its value; answers the reference to keep. */
  put(name: string, value: string): Promise<string>;
}

export class SecretsManagerSecretWriter implements SecretWriter {
  constructor(private readonly client: SecretsManagerClient = traced(new SecretsManagerClient({}))) {}

  async put(name: string, value: string): Promise<string> {
    try {
      const out = await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, Description: 'Operation Runs: a tenant\'s Microsoft Graph app credential' }));
      return out.ARN!;
    } catch (err) {
      if (!(err instanceof ResourceExistsException)) throw err;
      const out = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
      return out.ARN!;
    }
  }
}

let override: SecretWriter | undefined;
let aws: SecretWriter | undefined;
/** The writer of this process: the local book in the local runtime, else Secrets Manager (tests may override). */
export function secretWriter(): SecretWriter {
  if (override) return override;
  if (settings().localRuntime) return localSecretBook();
  return (aws ??= new SecretsManagerSecretWriter());
}
export function setSecretWriter(w: SecretWriter | undefined): void {
  override = w;
}
