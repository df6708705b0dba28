/**
 * What the tenant handlers share (issue 19): the tenant as the API answers it (never a secret nor a
 * secret's reference), where a new tenant's Graph settings point, the credential's secret name, and
 * starting a connection check through the one start flow (plan → RunService.startRun).
 */
import { cloudEndpoints, type CloudName } from '../tenants/clouds.js';
import type { GraphSettings } from '../graph/client.js';
import { planConnectionCheck } from '../operations/graph-connection-check.definition.js';
import { toApiRun, viewUrlOf } from '../runs/model.js';
import { settings } from '../settings.js';
import type { TenantProfile } from '../store/directory-store.js';
import { runService, type ApiDeps } from './deps.js';
import type { User } from './middleware.js';
import { directoryStore } from '../store/stores.js';

export function tenantView(t: TenantProfile) {
  return {
    tenantId: t.id,
    name: t.name,
    graph: {
      cloud: t.connection?.cloud ?? null,
      directoryTenantId: t.connection?.directoryTenantId ?? null,
      clientId: t.graph?.clientId ?? null,
      credential: t.graphCredential ?? null,
    },
    pendingCredential: t.pendingCredential ? { since: t.pendingCredential.since, credential: t.pendingCredential.credential } : null,
    lastConnectionCheck: t.lastConnectionCheck ?? null,
    createdAt: t.createdAt ?? null,
    createdBy: t.createdBy ?? null,
  };
}

/**
 * A new tenant's Graph settings: its cloud's Graph root and its directory's token endpoint — or, in the
 * local runtime (GRAPH_SIM_URL), the simulated Graph's, which serves any tenant id (README, "The
 * simulated Microsoft Graph").
 */
export function graphSettingsFor(tenantId: string, g: { cloud: CloudName; directoryTenantId: string; clientId: string }, secretRef: string): GraphSettings {
  const sim = settings().graphSimUrl?.replace(/\/+$/, '');
  const endpoints = sim
    ? { graphRoot: `${sim}/graph/${encodeURIComponent(tenantId)}`, tokenUrl: `${sim}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token` }
    : cloudEndpoints(g.cloud, g.directoryTenantId);
  return { ...endpoints, clientId: g.clientId, secretRef };
}

/** `<GRAPH_SECRET_PREFIX><tenant>/<stamp>`: a new name per credential, so a rotation never overwrites the current one. */
export const credentialSecretName = (tenantId: string, stamp: string) => `${settings().graphSecretPrefix}${tenantId}/${stamp}`;

/** Starts graph.connection_check for the tenant (the current credential, or the pending one). */
export async function startConnectionCheck(deps: ApiDeps, tenantId: string, user: User, credential: 'current' | 'pending') {
  const input = credential === 'pending' ? { credential } : {};
  const plan = await planConnectionCheck(tenantId, input, { stores: { directory: directoryStore(deps.stores) } });
  const { run, deduplicated } = await runService(deps).startRun({
    tenantId, type: 'graph.connection_check', input, initiator: { userId: user.id, name: user.name }, surface: 'api', ...plan,
  });
  return { run: toApiRun(run), viewUrl: viewUrlOf(run.tenantId, run.id), deduplicated };
}
