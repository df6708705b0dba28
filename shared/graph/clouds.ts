/**
 * The Graph roots and token hosts a tenant's config may point at: Microsoft's global service and the
 * national clouds (learn.microsoft.com/graph/deployments, "Microsoft Graph and Graph Explorer service
 * root endpoints" and "App registration and token service root endpoints": graph.microsoft.com /
 * login.microsoftonline.com global, graph.microsoft.us and dod-graph.microsoft.us /
 * login.microsoftonline.us for US Government L4/L5, microsoftgraph.chinacloudapi.cn /
 * login.chinacloudapi.cn for 21Vianet). Our bearer token and our client secret go to these hosts, so a
 * table row can never send them anywhere else. Loopback http is allowed for the local simulator.
 */
import { GraphError } from './errors.js';

export const GRAPH_ROOT_HOSTS = ['graph.microsoft.com', 'graph.microsoft.us', 'dod-graph.microsoft.us', 'microsoftgraph.chinacloudapi.cn'] as const;
export const LOGIN_HOSTS = ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn'] as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function allowed(raw: string, hosts: readonly string[]): URL | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.protocol === 'https:' && hosts.includes(url.hostname) && !url.port) return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  return null;
}

/** The tenant's Graph root without a trailing slash (`https://graph.microsoft.com`), or a graph_auth_failed error. */
export function checkGraphRoot(raw: string): string {
  const url = allowed(raw, GRAPH_ROOT_HOSTS);
  // A root is the origin only; the simulator's roots carry a /graph/{tenant} prefix on loopback.
  if (!url || (url.protocol === 'https:' && url.pathname !== '/')) {
    throw new GraphError('graph_auth_failed', `the tenant's Graph root is not a Microsoft Graph service root (${GRAPH_ROOT_HOSTS.join(', ')})`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** The token endpoint, if its host is one of the national clouds' login hosts; else graph_auth_failed. */
export function checkTokenUrl(raw: string): string {
  const url = allowed(raw, LOGIN_HOSTS);
  if (!url) throw new GraphError('graph_auth_failed', `the tenant's token endpoint is not on a Microsoft login host (${LOGIN_HOSTS.join(', ')})`);
  return url.toString();
}

/**
 * The client-credentials scope of a root: "Any permission scope value (including the .default scope)
 * that contains the Microsoft Graph domain MUST use the domain of the Microsoft Graph service root
 * endpoint for the national cloud deployment" (learn.microsoft.com/graph/sdks/national-clouds).
 */
export function defaultScope(graphRoot: string): string {
  const url = new URL(graphRoot);
  return url.protocol === 'https:' ? `${url.origin}/.default` : 'https://graph.microsoft.com/.default';
}

/** A stored `baseUrl` of the old config shape (`…/v1.0`) as a root. */
export function rootOfLegacyBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/(v1\.0|beta)$/, '');
}

/**
 * The national clouds: which login host issues tokens for which Graph roots (same page of
 * learn.microsoft.com/graph/deployments). A tenant's token endpoint must be on its Graph root's cloud.
 */
export const CLOUDS: ReadonlyArray<{ name: string; loginHost: (typeof LOGIN_HOSTS)[number]; graphHosts: ReadonlyArray<(typeof GRAPH_ROOT_HOSTS)[number]> }> = [
  { name: 'global', loginHost: 'login.microsoftonline.com', graphHosts: ['graph.microsoft.com'] },
  { name: 'US Government L4/L5', loginHost: 'login.microsoftonline.us', graphHosts: ['graph.microsoft.us', 'dod-graph.microsoft.us'] },
  { name: 'China (21Vianet)', loginHost: 'login.chinacloudapi.cn', graphHosts: ['microsoftgraph.chinacloudapi.cn'] },
];

/** Where a tenant's app tokens come from: an MSAL authority (always https) and, for the local simulator, where that host really is. */
export interface TokenAuthority {
  /** the cloud's login host, e.g. login.microsoftonline.us */
  loginHost: string;
  /** the directory (tenant) id or domain from the token endpoint's path */
  directoryTenant: string;
  /** `https://{loginHost}/{directoryTenant}`: MSAL's authority */
  authority: string;
  /** `https://{loginHost}/{directoryTenant}/oauth2/v2.0/token`: the token endpoint MSAL posts to (and a client assertion's audience) */
  tokenEndpoint: string;
  /** a loopback origin that stands in for `https://{loginHost}` (the simulator), or null for the real cloud */
  loopbackOrigin: string | null;
}

const DIRECTORY_TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

/**
 * The MSAL authority of a tenant: the login host of its Graph root's national cloud and the directory
 * tenant named in its token endpoint (`…/{tenant}/oauth2/v2.0/token`). A token endpoint on another
 * cloud than the Graph root, or a multi-tenant alias, is graph_auth_failed. A loopback token endpoint
 * (the simulator) stands in for the Graph root's cloud (loopback Graph roots: the global cloud).
 */
export function tokenAuthority(graphRoot: string, tokenUrl: string): TokenAuthority {
  const root = new URL(checkGraphRoot(graphRoot));
  const token = new URL(checkTokenUrl(tokenUrl));
  const cloud = CLOUDS.find((c) => (c.graphHosts as readonly string[]).includes(root.hostname)) ?? CLOUDS[0];
  const loopback = token.protocol === 'http:';
  if (!loopback && token.hostname !== cloud.loginHost) {
    throw new GraphError('graph_auth_failed', `the tenant's token endpoint (${token.hostname}) is not on its Graph root's cloud (${cloud.name}: ${cloud.loginHost})`);
  }
  const segments = token.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const directoryTenant = segments[0] ?? '';
  if (!DIRECTORY_TENANT.test(directoryTenant) || MULTI_TENANT.has(directoryTenant.toLowerCase()) || segments[1] !== 'oauth2') {
    throw new GraphError('graph_auth_failed', "the tenant's token endpoint does not name one directory tenant (https://{login host}/{tenant id}/oauth2/v2.0/token)");
  }
  const authority = `https://${cloud.loginHost}/${directoryTenant}`;
  return { loginHost: cloud.loginHost, directoryTenant, authority, tokenEndpoint: `${authority}/oauth2/v2.0/token`, loopbackOrigin: loopback ? token.origin : null };
}
