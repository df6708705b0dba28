/**
 * The national clouds a tenant can be connected in (issue 19), each as its Graph service root and
 * its login host — the hosts shared/graph/clouds.ts allows (learn.microsoft.com/graph/deployments).
 * Kept out of shared/graph/ so the read routes that validate or show a tenant (GET /tenants, the
 * OpenAPI document) never bundle Graph modules (test/unit/read-paths-never-reach-graph.test.ts).
 */
import type { GRAPH_ROOT_HOSTS, LOGIN_HOSTS } from '../graph/clouds.js';

export const CLOUDS = {
  global: { graphRoot: 'https://graph.microsoft.com', loginHost: 'login.microsoftonline.com' },
  usGovL4: { graphRoot: 'https://graph.microsoft.us', loginHost: 'login.microsoftonline.us' },
  usGovL5: { graphRoot: 'https://dod-graph.microsoft.us', loginHost: 'login.microsoftonline.us' },
  china: { graphRoot: 'https://microsoftgraph.chinacloudapi.cn', loginHost: 'login.chinacloudapi.cn' },
} as const satisfies Record<string, { graphRoot: `https://${(typeof GRAPH_ROOT_HOSTS)[number]}`; loginHost: (typeof LOGIN_HOSTS)[number] }>;
export type CloudName = keyof typeof CLOUDS;
export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[];

/** A cloud's Graph root and the v2.0 token endpoint of a directory (tenant GUID or domain) in it. */
export function cloudEndpoints(cloud: CloudName, directoryTenantId: string): { graphRoot: string; tokenUrl: string } {
  const c = CLOUDS[cloud];
  return { graphRoot: c.graphRoot, tokenUrl: `https://${c.loginHost}/${encodeURIComponent(directoryTenantId)}/oauth2/v2.0/token` };
}
