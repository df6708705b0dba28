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
 *
 * `delete(ref)` schedules the deletion of a credential no tenant names (shared/tenants/credential-secrets.ts:
 * the secret sweeper, a refused tenant request, the orphan reconciler). It is idempotent: a ref that
 * is already gone (or already scheduled for deletion) is done.
 *
 * Listing them is a port of its own (secret-lister.ts), so only the orphan reconciler bundles ListSecrets.
 */
import {
  CreateSecretCommand, DeleteSecretCommand, InvalidRequestException, PutSecretValueCommand, ResourceExistsException, ResourceNotFoundException, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { settings } from '../settings.js';
import { traced } from '../observability/tracer.js';
import { localSecretBook } from './local-secret-book.js';

export interface SecretWriter {
  /** Creates `name` with `value`, or replaces its value; answers the reference to keep. */
  put(name: string, value: string): Promise<string>;
  /** Deletes the secret behind `ref` (a reference `put` answered); a ref already gone is done. */
  delete(ref: string): Promise<void>;
}

/**
 * The recovery window of a deleted Graph credential. Secrets Manager's DeleteSecret takes
 * `RecoveryWindowInDays` 7–30 (default 30) or `ForceDeleteWithoutRecovery` (API reference,
 * DeleteSecret). We send the minimum, 7: a secret scheduled for deletion can no longer be read
 * (GetSecretValue refuses it), so the replaced credential stops being readable at once, while an
 * operator can still undo a mistaken deletion with RestoreSecret for a week. Forcing the deletion
 * would leave no way back.
 */
export const GRAPH_SECRET_RECOVERY_DAYS = 7;

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

  async delete(ref: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: ref, RecoveryWindowInDays: GRAPH_SECRET_RECOVERY_DAYS }));
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return; // deleted for good already
      // A secret already scheduled for deletion (a replayed stream record) is refused this way: done too.
      // The API reference lists it under InvalidRequestException ("…a secret that's currently marked
      // deleted"); the service's message says "…because it was marked for deletion".
      if (err instanceof InvalidRequestException && /marked (for )?delet/i.test(err.message)) return;
      throw err;
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
