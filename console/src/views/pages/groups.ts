/**
 * Groups: the cached directory (GET groups, DB only) with "Sync groups" (directory_groups.sync), and
 * the delegated group search panel (GET directory/group-search with X-Graph-Delegated-Token). The
 * search is enabled only with a delegated token — in the local runtime the admin pastes one — and is
 * otherwise disabled with its reason shown as text. The token lives in this page's memory only.
 */
import { ApiError, request, get, tenantPath } from '../../api.js';
import { getConfig } from '../../config.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { problemAlert } from '../../problem-view.js';
import { roleReason, startButton } from '../../start-button.js';
import type { Page } from '../../types.js';
import { section, tenantPage } from './tenant-page.js';

export interface CachedGroup { id: string; displayName: string; mail: string | null; description: string | null; securityEnabled: boolean; mailEnabled: boolean; lastSeenAt: string }

export async function groupsView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Groups');
  if (!p) return;
  const sync = startButton({ tenantId: p.tenantId, role: p.role, types: p.types, type: 'directory_groups.sync', label: 'Sync groups', input: () => ({}), testId: 'sync-groups' });

  // The cached directory, with a displayName prefix search (DB only).
  const prefix = h('input', { id: 'cache-search', type: 'search', autocomplete: 'off' });
  const listFor = (search: string) => pagedList<CachedGroup>({
    fetchPage: (cursor) => get<Page<CachedGroup>>(`${tenantPath(p.tenantId, 'groups')}?${new URLSearchParams({ ...(search ? { search } : {}), ...(cursor ? { cursor } : {}) })}`),
    head: ['Group', 'Mail', 'Kind', 'Last seen in sync'],
    row: (g) => h('tr', { 'data-testid': 'group-row' }, h('th', { scope: 'row' }, g.displayName), h('td', {}, g.mail ?? '—'),
      h('td', {}, [g.securityEnabled ? 'Security' : null, g.mailEnabled ? 'Mail' : null].filter(Boolean).join(', ') || '—'), h('td', {}, time(g.lastSeenAt))),
    caption: 'Cached directory groups', empty: 'No groups cached. Press "Sync groups" to read them from Microsoft Graph.', testId: 'groups', noun: ['group', 'groups'],
  });
  let list = listFor('');
  const listHost = h('div', {}, list.element);
  const cacheForm = h('form', { class: 'row', role: 'search', 'aria-label': 'Filter cached groups' },
    h('div', { class: 'field' }, h('label', { for: 'cache-search' }, 'Name starts with'), prefix),
    h('button', { type: 'submit' }, 'Filter'));
  cacheForm.addEventListener('submit', (e) => { e.preventDefault(); list = listFor(prefix.value.trim()); mount(listHost, list.element); void list.reload(); });

  // The delegated search panel.
  const local = getConfig().auth.mode === 'dev';
  const tokenInput = h('input', { id: 'delegated-token', type: 'password', autocomplete: 'off', 'aria-describedby': 'delegated-token-hint' });
  const query = h('input', { id: 'group-search-q', type: 'search', autocomplete: 'off' });
  const searchBtn = h('button', { type: 'submit', 'data-testid': 'group-search-button' }, 'Search Microsoft Graph');
  const reason = h('p', { class: 'reason', id: 'group-search-reason', 'data-testid': 'group-search-reason' });
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'group-search-results' });
  const roleWhy = roleReason(p.role, 'manager', 'Group search');
  const refresh = () => {
    const why = roleWhy
      ?? (!tokenInput.value.trim()
        ? (local
          ? 'Group search is disabled: it needs a delegated Microsoft Graph token, and none is present. Paste one above to enable it.'
          : 'Group search is disabled: it needs a delegated Microsoft Graph sign-in, which this session does not have.')
        : null);
    for (const c of [query, searchBtn]) c.disabled = why !== null;
    query.setAttribute('aria-describedby', 'group-search-reason');
    reason.textContent = why ?? 'Searches Microsoft Graph with your delegated token (sent with this request only, never stored).';
    reason.className = why ? 'reason disabled-reason' : 'hint';
  };
  tokenInput.addEventListener('input', refresh);
  const searchForm = h('form', { role: 'search', 'aria-label': 'Delegated group search', 'data-testid': 'group-search-panel' },
    local && !roleWhy ? h('div', { class: 'field' },
      h('label', { for: 'delegated-token' }, 'Delegated Graph token'),
      h('p', { class: 'hint', id: 'delegated-token-hint' }, 'Local runtime: paste a delegated token (kept in this page only, never saved).'),
      tokenInput) : null,
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'group-search-q' }, 'Group name'), query), searchBtn),
    reason, results,
  );
  searchForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (searchBtn.disabled || !query.value.trim()) return;
    searchBtn.disabled = true;
    try {
      const answer = await searchGroups(p.tenantId, query.value.trim(), tokenInput.value.trim());
      mount(results, answer.length === 0 ? h('p', {}, 'No groups match.') : h('ul', { class: 'plain' }, answer.map((g) => h('li', { 'data-testid': 'group-search-hit' }, h('strong', {}, g.displayName), ' ', h('code', {}, g.id), g.mail ? ` — ${g.mail}` : ''))));
    } catch (err) {
      mount(results, problemAlert(err, err instanceof ApiError && err.status === 428 ? 'Sign-in to Graph needed' : 'Search failed'));
    } finally {
      refresh();
    }
  });
  refresh();

  mount(p.main,
    h('h1', {}, `Groups — ${p.tenantName}`),
    section('groups-sync-heading', 'Sync', h('p', { class: 'hint' }, 'Refreshes the cached directory that restores pick their group mapping from.'), sync.element),
    section('group-search-heading', 'Group search (delegated)', searchForm),
    section('groups-list-heading', 'Cached directory', cacheForm, listHost),
  );
  await list.reload();
}

/** GET directory/group-search with the delegated token in its header (this request only). */
async function searchGroups(tenantId: string, q: string, token: string): Promise<Array<{ id: string; displayName: string; mail: string | null }>> {
  const answer = await request<{ items: Array<{ id: string; displayName: string; mail: string | null }> }>('GET',
    `${tenantPath(tenantId, 'directory', 'group-search')}?q=${encodeURIComponent(q)}`, { headers: { 'x-graph-delegated-token': token } });
  return answer.body!.items;
}
