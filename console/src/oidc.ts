/**
 * OIDC sign-in for a deployed console: authorization code + PKCE (RFC 7636), public client, no
 * client secret. The verifier and state live in sessionStorage only for the round trip; the tokens
 * come back from the token endpoint in a POST body and are kept in sessionStorage — never in a URL.
 */
import { setSession } from './session.js';
import type { OidcConfig } from './config.js';

const PENDING = 'operation-runs.oidc-pending';

interface Discovery { authorization_endpoint: string; token_endpoint: string }

async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`OIDC discovery failed (${res.status})`);
  return (await res.json()) as Discovery;
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));
const redirectUri = (c: OidcConfig) => c.redirectUri ?? `${location.origin}/console/callback`;

export async function beginOidcSignIn(config: OidcConfig): Promise<void> {
  const d = await discover(config.issuer);
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(config),
    scope: config.scope ?? 'openid profile', state, code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On /console/callback: checks `state`, swaps the one-time code for tokens, then drops the code from the address bar. */
export async function completeOidcSignIn(config: OidcConfig, query: URLSearchParams): Promise<void> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', '/console/callback');
  if (query.get('error')) throw new Error(query.get('error_description') ?? query.get('error')!);
  if (!pending || query.get('state') !== pending.state) throw new Error('The sign-in response did not match this browser session.');
  const d = await discover(config.issuer);
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: query.get('code') ?? '', redirect_uri: redirectUri(config),
      client_id: config.clientId, code_verifier: pending.verifier,
    }),
  });
  if (!res.ok) throw new Error(`The token endpoint answered ${res.status}.`);
  const tokens = (await res.json()) as { id_token?: string; access_token?: string };
  // The API trusts the claims `sub` and `name` (§5), which the ID token carries; API Gateway's JWT
  // authorizer is configured with this client id as audience, which is the ID token's `aud`.
  const token = tokens.id_token ?? tokens.access_token;
  if (!token) throw new Error('The token endpoint returned no token.');
  const claims = JSON.parse(atob((tokens.id_token ?? token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; name?: string };
  setSession({ token, user: { id: claims.sub, name: claims.name ?? claims.sub } });
}
