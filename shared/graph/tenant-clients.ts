/**
 * One GraphClient per tenant per container, built from the tenant's stored Graph settings, so a warm
 * Lambda reuses the cached app token across invocations.
 */
import { GraphClient, type GraphClientOptions, type GraphSettings } from './client.js';
import { GraphError } from './errors.js';
import type { SecretResolver } from './secrets.js';

export type GraphClientFor = (tenantId: string) => Promise<GraphClient>;

export function graphClientsFor(
  loadSettings: (tenantId: string) => Promise<GraphSettings | null | undefined>,
  secrets: SecretResolver,
  options: Omit<GraphClientOptions, 'settings' | 'secrets'> = {},
): GraphClientFor {
  const clients = new Map<string, { settingsKey: string; client: GraphClient }>();
  return async (tenantId) => {
    const settings = await loadSettings(tenantId);
    if (!settings) throw new GraphError('graph_auth_failed', `tenant ${tenantId} has no Graph settings`);
    const settingsKey = JSON.stringify(settings);
    const hit = clients.get(tenantId);
    // Settings changed (new secret ref, new app): start over with a fresh token.
    if (hit && hit.settingsKey === settingsKey) return hit.client;
    const client = new GraphClient({ ...options, settings, secrets });
    clients.set(tenantId, { settingsKey, client });
    return client;
  };
}
