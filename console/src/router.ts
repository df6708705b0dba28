/**
 * History-API routing under /console: links with `data-link` navigate without a page reload, and each
 * view returns a disposer so its pollers stop when the user leaves it.
 */
export type Dispose = () => void;
export type View = (params: Record<string, string>, query: URLSearchParams) => Dispose | void | Promise<Dispose | void>;

interface Route { pattern: RegExp; names: string[]; view: View }

const routes: Route[] = [];
let disposeCurrent: Dispose | void;
let renderCount = 0;

export function route(path: string, view: View): void {
  const names: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_m, n: string) => { names.push(n); return '([^/]+)'; })}/?$`);
  routes.push({ pattern, names, view });
}

export function navigate(url: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void render();
}

export async function render(): Promise<void> {
  const token = ++renderCount;
  if (disposeCurrent) disposeCurrent();
  disposeCurrent = undefined;
  const path = location.pathname;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    r.names.forEach((n, i) => { params[n] = decodeURIComponent(m[i + 1]); });
    const dispose = await r.view(params, new URLSearchParams(location.search));
    // A newer navigation happened while this view was loading: stop this one at once.
    if (token !== renderCount) { if (dispose) dispose(); return; }
    disposeCurrent = dispose;
    return;
  }
}

export function startRouter(): void {
  window.addEventListener('popstate', () => void render());
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a[data-link]') as HTMLAnchorElement | null;
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(a.getAttribute('href')!);
  });
}

/** A same-app link (rendered as a real <a href>, so keyboard, middle-click and copy-link all work). */
export const linkAttrs = (href: string) => ({ href, 'data-link': true });
