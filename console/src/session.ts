/**
 * The signed-in session. The token lives in sessionStorage (gone when the tab closes) and in memory;
 * it is never put in a URL, so it cannot leak through history, logs or Referer headers.
 */
const KEY = 'operation-runs.session';

export interface Session {
  token: string;
  user: { id: string; name: string };
}

let current: Session | null = null;

export function getSession(): Session | null {
  if (current) return current;
  try {
    const raw = sessionStorage.getItem(KEY);
    current = raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    current = null;
  }
  return current;
}

export function setSession(s: Session | null): void {
  current = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
