/**
 * The one place the console talks to the API: adds the bearer token, turns problem+json answers into
 * `ApiError`s, and signs out on 401 (an expired token cannot be repaired by retrying).
 */
import { getConfig } from './config.js';
import { getSession, setSession } from './session.js';
import type { Problem } from './types.js';

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export interface ApiAnswer<T> { status: number; body: T | null; etag: string | null }

let onUnauthorized: () => void = () => undefined;
export const setUnauthorizedHandler = (fn: () => void) => { onUnauthorized = fn; };

export async function request<T>(method: string, path: string, opts: { body?: unknown; etag?: string | null; auth?: boolean; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json' };
  const session = getSession();
  if (opts.auth !== false && session) headers.authorization = `Bearer ${session.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.etag) headers['if-none-match'] = opts.etag;
  const res = await fetch(getConfig().apiBase + path, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    // The browser's HTTP cache would answer our conditional requests itself; we manage ETags.
    cache: 'no-store',
  });
  if (res.status === 401 && opts.auth !== false) {
    setSession(null);
    onUnauthorized();
  }
  if (res.status >= 400) {
    let problem: Problem = { status: res.status, title: res.statusText };
    try { problem = { ...problem, ...((await res.json()) as Problem) }; } catch { /* not JSON */ }
    throw new ApiError(res.status, problem);
  }
  const text = res.status === 204 || res.status === 304 ? '' : await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as T) : null, etag: res.headers.get('etag') };
}

export const get = async <T>(path: string): Promise<T> => (await request<T>('GET', path)).body as T;
/**
 * A record whose items come in pages (GET backup-sets/{id}, GET restores/{id}): the record with every
 * page's items joined, 1,000 per request, at most `maxPages` requests.
 */
export async function getWithAllItems<T extends { items: unknown[]; nextCursor?: string | null }>(path: string, maxPages = 50): Promise<T> {
  const first = await get<T>(`${path}?limit=1000`);
  let cursor = first.nextCursor ?? null;
  for (let i = 1; cursor && i < maxPages; i++) {
    const page: T = await get<T>(`${path}?limit=1000&cursor=${encodeURIComponent(cursor)}`);
    first.items.push(...page.items);
    cursor = page.nextCursor ?? null;
  }
  return first;
}
export const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body });
export const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });
export const del = (path: string) => request<null>('DELETE', path);

export const tenantPath = (tenantId: string, ...rest: string[]) =>
  ['/tenants', tenantId, ...rest].map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
