import { ulid } from 'ulid';
import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { useWorkQueue } from '../../shared/http/deps.js';
import { problems } from '../../shared/http/problem.js';
import { rotateCredentialRoute } from '../../shared/http/tenant-schemas.js';
import { credentialSecretName, startConnectionCheck } from '../../shared/http/tenants.js';
import { sqsWorkQueue } from '../../shared/http/work-queue.js';
import { credentialSecretString, credentialSummary } from '../../shared/tenants/credentials.js';
import { credentialSecretDeps, withCredentialSecret } from '../../shared/tenants/credential-secrets.js';
import { directoryStore } from '../../shared/store/stores.js';

useWorkQueue(sqsWorkQueue);

/**
 * A pending credential older than this is a leftover (its check was lost before it started: the
 * reaper fails lost runs within 15 minutes, and their projection drops the pending credential).
 */
export const PENDING_STALE_MS = 60 * 60_000;

const busy = () => problems.conflict('A rotated credential is still being checked; wait for its connection check to finish, then try again.');

/**
 * PUT /tenants/{t}/graph-credential (owner, issue 19): the new credential goes to the secret store
 * under a NEW name and onto the tenant as `pendingCredential`; the current one keeps serving every
 * other run. A connection check of the pending credential starts; its terminal transaction makes it
 * current (succeeded / partially succeeded: it signed in) or drops it (failed / cancelled).
 */
export const handler = apiHandler(rotateCredentialRoute, async ({ tenantId, body, user, deps }) => {
  const directory = directoryStore(deps.stores);
  const tenant = await directory.getTenant(tenantId, { consistent: true });
  if (!tenant?.graph) throw problems.unprocessable('This tenant has no Graph connection to rotate; a platform admin connects it (POST /tenants).', [{ path: 'tenantId', message: 'no Graph settings' }]);
  const now = deps.clock();
  const staleBefore = new Date(now.getTime() - PENDING_STALE_MS).toISOString();
  if (tenant.pendingCredential && tenant.pendingCredential.since > staleBefore) throw busy();
  const credential = credentialSummary(body.credential);
  const audit = auditPut({
    tenantId, actor: actorOf(user), action: 'credential.rotated', target: { type: 'tenant', id: tenantId, label: tenant.name },
    // `graphCredential`, not `credential`: the sanitizer redacts a key named credential whatever it holds;
    // this is only the credential's summary (type, thumbprint), never its value.
    before: { graphCredential: tenant.graphCredential ?? null }, after: { graphCredential: credential },
  }, now);
  // A rotation that loses the conditional write (another one became pending meanwhile) or whose write
  // fails leaves no secret behind: withCredentialSecret deletes it, and the answer is unchanged.
  const credentialSecret = { tenantId, name: credentialSecretName(tenantId, ulid(now.getTime())), value: credentialSecretString(body.credential) };
  await withCredentialSecret(credentialSecretDeps(directory), credentialSecret, async (secretRef) => {
    if (!(await directory.setPendingCredential(tenantId, { secretRef, credential, since: now.toISOString() }, staleBefore, audit))) throw busy();
  });
  const started = await startConnectionCheck(deps, tenantId, user, 'pending');
  return { status: 202, headers: { location: `/tenants/${encodeURIComponent(tenantId)}/runs/${encodeURIComponent(started.run.id)}` }, body: started };
});
