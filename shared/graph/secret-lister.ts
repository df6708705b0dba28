/**
 * The secret-listing port (issue 19 follow-up): the live secrets whose name starts with a prefix,
 * with their creation time — what the orphan reconciler (shared/tenants/secret-reconciler.ts) looks
 * at. A port of its own, apart from the writer (secret-store.ts), so only the reconciler bundles it.
 *
 * - Secrets Manager (AWS): ListSecrets with the `name` filter ("Prefix match, case-sensitive",
 *   Filter, Secrets Manager API reference), 100 a page; secrets scheduled for deletion are not
 *   listed ("By default, secrets scheduled for deletion aren't included", ListSecrets
 *   `IncludePlannedDeletion`). The reference is the ARN, as the writer's `put` answers it.
 * - Local (the local runtime, tests): the local secret book.
 */
import { paginateListSecrets, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { settings } from '../settings.js';
import { traced } from '../observability/tracer.js';
import { localSecretBook } from './local-secret-book.js';

export interface StoredSecret {
  /** the reference the writer's `put` answered (AWS: the ARN; local: `local:<name>`) */
  ref: string;
  name: string;
  createdAt: Date;
}

export interface SecretLister {
  /** The live secrets named `prefix…`. */
  list(prefix: string): AsyncIterable<StoredSecret>;
}

export class SecretsManagerSecretLister implements SecretLister {
  constructor(private readonly client: SecretsManagerClient = traced(new SecretsManagerClient({}))) {}

  async *list(prefix: string): AsyncIterable<StoredSecret> {
    const pages = paginateListSecrets({ client: this.client, pageSize: 100 }, { Filters: [{ Key: 'name', Values: [prefix] }] });
    for await (const page of pages) {
      for (const s of page.SecretList ?? []) {
        // No creation date or name: not a secret this product created — never a candidate.
        if (s.ARN && s.Name && s.CreatedDate) yield { ref: s.ARN, name: s.Name, createdAt: s.CreatedDate };
      }
    }
  }
}

let aws: SecretLister | undefined;
/** The lister of this process: the local book in the local runtime, else Secrets Manager. */
export function secretLister(): SecretLister {
  if (settings().localRuntime) return localSecretBook();
  return (aws ??= new SecretsManagerSecretLister());
}
