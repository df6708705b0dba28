/**
 * The one rule for deleting a tenant's Graph credential secret (issue 19 follow-up): a secret is
 * deleted only when the tenant profile, read again strongly consistent, names it nowhere — neither
 * as `graph.secretRef` nor as `pendingCredential.secretRef`. Three callers share it:
 *
 *   - the secret sweeper (secret-sweeper.ts): refs a committed profile change superseded;
 *   - the request path (`withCredentialSecret` below): a secret POST /tenants or PUT
 *     /tenants/{t}/graph-credential wrote before the request was refused or its table write failed;
 *   - the orphan reconciler (secret-reconciler.ts): secrets under the prefix older than the grace
 *     period, for the crash between the secret write and the table write.
 *
 * Deleting is SecretWriter.delete: DeleteSecret with the 7-day recovery window (never forced), and
 * idempotent, so two callers deleting the same secret is harmless.
 */
import { secretWriter, type SecretWriter } from '../graph/secret-store.js';
import { logger } from '../observability/logger.js';
import type { DirectoryStore, TenantProfile } from '../store/directory-store.js';

/** The tenant profile as it is now (strongly consistent), or null when there is none. */
export type TenantRefsReader = (tenantId: string) => Promise<Pick<TenantProfile, 'graph' | 'pendingCredential'> | null>;

export interface CredentialSecretDeps {
  getTenant: TenantRefsReader;
  secrets: Pick<SecretWriter, 'delete'>;
}

/** This process's deps: the directory's strongly consistent tenant read and its secret writer. */
export const credentialSecretDeps = (directory: Pick<DirectoryStore, 'getTenant'>) => ({
  getTenant: ((tenantId) => directory.getTenant(tenantId, { consistent: true })) satisfies TenantRefsReader,
  secrets: secretWriter(),
});

type Refs = { graph?: { secretRef?: string }; pendingCredential?: { secretRef?: string } } | null | undefined;
/** The secret refs a profile (or a stream image of one) names. */
export const refsOf = (p: Refs): string[] =>
  [p?.graph?.secretRef, p?.pendingCredential?.secretRef].filter((r): r is string => typeof r === 'string' && r.length > 0);

/**
 * Deletes each of the tenant's secrets that its profile does not name now, and answers the refs it
 * deleted. A secret is named by its ref or, as an operator may have written it, by its name.
 */
export async function deleteUnreferenced(deps: CredentialSecretDeps, tenantId: string, secrets: Array<{ ref: string; name?: string }>): Promise<string[]> {
  if (secrets.length === 0) return [];
  const inUse = new Set(refsOf(await deps.getTenant(tenantId)));
  const deleted: string[] = [];
  for (const s of secrets) {
    if (inUse.has(s.ref) || (s.name !== undefined && inUse.has(s.name))) continue;
    await deps.secrets.delete(s.ref);
    deleted.push(s.ref);
  }
  return deleted;
}

/**
 * Writes a new credential secret, then `commit`s its ref to the table. When `commit` throws — a
 * refusal (409: the tenant id taken by a concurrent request, a rotation already pending) or a failed
 * table write — the secret is deleted unless the tenant names it after all (a write that committed
 * although its answer was lost), and the error is rethrown unchanged, so the answer is the same.
 * The deletion is best-effort: if it fails, the orphan reconciler deletes the secret later.
 */
export async function withCredentialSecret<T>(
  deps: { getTenant: TenantRefsReader; secrets: Pick<SecretWriter, 'put' | 'delete'> },
  secret: { tenantId: string; name: string; value: string },
  commit: (secretRef: string) => Promise<T>,
): Promise<T> {
  const secretRef = await deps.secrets.put(secret.name, secret.value);
  try {
    return await commit(secretRef);
  } catch (err) {
    try {
      const deleted = await deleteUnreferenced(deps, secret.tenantId, [{ ref: secretRef }]);
      if (deleted.length > 0) logger.info('scheduled the deletion of a Graph credential its request did not keep', { tenantId: secret.tenantId, ref: secretRef });
    } catch (cleanup) {
      logger.warn('a Graph credential its request did not keep could not be deleted now; the orphan reconciler will', { tenantId: secret.tenantId, ref: secretRef, error: cleanup as Error });
    }
    throw err;
  }
}
