import { ulid } from 'ulid';
import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { useWorkQueue } from '../../shared/http/deps.js';
import { problems } from '../../shared/http/problem.js';
import { createTenantRoute } from '../../shared/http/tenant-schemas.js';
import { credentialSecretName, graphSettingsFor, startConnectionCheck, tenantView } from '../../shared/http/tenants.js';
import { sqsWorkQueue } from '../../shared/http/work-queue.js';
import { credentialSecretString, credentialSummary } from '../../shared/tenants/credentials.js';
import { credentialSecretDeps, withCredentialSecret } from '../../shared/tenants/credential-secrets.js';
import { TenantExistsError, type TenantProfile } from '../../shared/store/directory-store.js';
import { directoryStore, memberStore } from '../../shared/store/stores.js';

// Creating a tenant starts its connection check: this function (wiring access.sendWork) brings the SQS client.
useWorkQueue(sqsWorkQueue);

const exists = (tenantId: string) => problems.conflict(`A tenant with id "${tenantId}" exists.`);

export const handler = apiHandler(createTenantRoute, async ({ body, user, deps }) => {
  const directory = directoryStore(deps.stores);
  // Answer 409 before the credential is written anywhere (the transaction below still decides a race).
  if (await directory.getTenant(body.tenantId, { consistent: true })) throw exists(body.tenantId);
  const now = deps.clock();
  const { credential, ...connection } = body.graph;
  const credentialSecret = { tenantId: body.tenantId, name: credentialSecretName(body.tenantId, ulid(now.getTime())), value: credentialSecretString(credential) };
  // The secret is written first (the tenant names it); if the transaction then refuses (a concurrent
  // creation took the id) or fails, withCredentialSecret deletes the secret and the answer is unchanged.
  const tenant = await withCredentialSecret(credentialSecretDeps(directory), credentialSecret, async (secretRef) => {
    const created: TenantProfile = {
      id: body.tenantId,
      name: body.name,
      graph: graphSettingsFor(body.tenantId, connection, secretRef),
      connection: { cloud: connection.cloud, directoryTenantId: connection.directoryTenantId },
      graphCredential: credentialSummary(credential),
      createdAt: now.toISOString(),
      createdBy: { userId: user.id, name: user.name },
    };
    // The tenant, its first owner (both sides of the membership, the owner counter) and the audit entry
    // commit in one transaction.
    const audit = auditPut({
      tenantId: created.id, actor: actorOf(user), action: 'tenant.created', target: { type: 'tenant', id: created.id, label: created.name },
      after: { name: created.name, ...connection, graphCredential: created.graphCredential },
    }, now);
    const committed = await memberStore(deps.stores).addIfAbsent({ tenantId: created.id, tenantName: created.name, user, role: 'owner', now, audit, others: [directory.newTenant(created)] }).catch((err: unknown) => {
      throw err instanceof TenantExistsError ? exists(body.tenantId) : err;
    });
    // false: the creator's membership of this id exists already — the same user's concurrent creation
    // (a double submit) committed first — so nothing here was written, the tenant included.
    if (!committed) throw exists(body.tenantId);
    return created;
  });
  const { deduplicated: _d, ...connectionCheck } = await startConnectionCheck(deps, tenant.id, user, 'current');
  return {
    status: 201,
    headers: { location: `/tenants/${encodeURIComponent(tenant.id)}` },
    body: { tenant: tenantView(tenant), connectionCheck },
  };
});
