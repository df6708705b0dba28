/**
 * One GraphClient per tenant per container, built from the tenant's stored Graph settings, so a warm
 * Lambda reuses the cached app token across invocations.
 */
import { GraphClient, type GraphClientOptions, type GraphSettings } from './client.js';
import { GraphError } from './errors.js';
import type { SecretResolver } from './secrets.js';

/**
 * The tenant's client; `secretRef` overrides the stored credential's reference (a rotated credential
 * tested before it becomes current: graph.connection_check) without touching the tenant's own client.
 */
export type GraphClientFor = (tenantId: string, opts?: { secretRef?: string }) => Promise<GraphClient>;

export function graphClientsFor(
  loadSettings: (tenantId: string) => Promise<GraphSettings | null | undefined>,
  secrets: SecretResolver,
  options: Omit<GraphClientOptions, 'settings' | 'secrets'> = {},
): GraphClientFor {
  const clients = new Map<string, { settingsKey: string; client: GraphClient }>();
  return async (tenantId, opts = {}) => {
    const stored = await loadSettings(tenantId);
    if (!stored) throw new GraphError('graph_auth_failed', `tenant ${tenantId} has no Graph settings`);
    const settings = opts.secretRef ? { ...stored, secretRef: opts.secretRef } : stored;
    const cacheKey = opts.secretRef ? `${tenantId}\u0000${opts.secretRef}` : tenantId;
    const settingsKey = JSON.stringify(settings);
    const hit = clients.get(cacheKey);
    // Settings changed (new secret ref, new app): start over with a fresh token.
    if (hit && hit.settingsKey === settingsKey) return hit.client;
    const client = new GraphClient({ ...options, settings, secrets });
    clients.set(cacheKey, { settingsKey, client });
    return client;
  };
}
