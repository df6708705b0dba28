/**
 * Where the API is and how to sign in. Locally the console is served by the API's own origin, so
 * the defaults apply; a static deployment ships a `config.json` next to index.html (docs/CONSOLE.md).
 */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scope?: string;
  /** defaults to `<origin>/console/callback` */
  redirectUri?: string;
}

export interface ConsoleConfig {
  /** base URL of the HTTP API; '' = same origin */
  apiBase: string;
  auth: { mode: 'dev' } | ({ mode: 'oidc' } & OidcConfig);
}

let config: ConsoleConfig = { apiBase: '', auth: { mode: 'dev' } };

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch('/console/config.json', { cache: 'no-cache' });
    if (res.ok) config = { ...config, ...((await res.json()) as Partial<ConsoleConfig>) };
  } catch {
    // No config file: same-origin API with local sign-in.
  }
  return config;
}

export const getConfig = (): ConsoleConfig => config;
