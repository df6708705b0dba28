/**
 * A server-paginated list: fetches a page, appends its rows, shows "Load more" while the API
 * answers a `nextCursor`, and says "Nothing yet" only when the first page is empty and final.
 */
import { h } from './dom.js';
import { problemAlert } from './problem-view.js';
import type { Page } from './types.js';

export interface PagedList<T> { element: HTMLElement; reload: () => Promise<void>; items: () => T[] }

export function pagedList<T>(o: {
  fetchPage: (cursor: string | null) => Promise<Page<T>>;
  head: string[];
  row: (item: T) => HTMLTableRowElement;
  caption: string;
  empty: string;
  testId: string;
  noun: [string, string];
}): PagedList<T> {
  const tbody = h('tbody');
  const status = h('p', { class: 'list-status', 'aria-live': 'polite', 'data-testid': `${o.testId}-status` });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const error = h('div');
  let cursor: string | null = null;
  let loaded: T[] = [];
  const load = async (append: boolean) => {
    more.disabled = true;
    try {
      const page = await o.fetchPage(append ? cursor : null);
      if (!append) { tbody.replaceChildren(); loaded = []; }
      for (const item of page.items) { tbody.append(o.row(item)); loaded.push(item); }
      cursor = page.nextCursor;
      more.hidden = !cursor;
      const n = loaded.length;
      status.textContent = n === 0 && !cursor ? o.empty : `Showing ${n} ${n === 1 ? o.noun[0] : o.noun[1]}${cursor ? ' (more available)' : ''}.`;
      error.replaceChildren();
    } catch (err) {
      error.replaceChildren(problemAlert(err, 'Could not load'));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load(true));
  const element = h('div', { class: 'paged' },
    error, status,
    h('div', { class: 'table-wrap' }, h('table', { 'data-testid': o.testId },
      h('caption', { class: 'visually-hidden' }, o.caption),
      h('thead', {}, h('tr', {}, o.head.map((c) => h('th', { scope: 'col' }, c)))),
      tbody,
    )),
    more,
  );
  return { element, reload: () => load(false), items: () => loaded };
}
