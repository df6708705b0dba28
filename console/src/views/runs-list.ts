/**
 * The monitoring list: GET /tenants/{t}/runs with filters (kept in the address bar so a filtered
 * view can be shared), newest first, "Load more" for the next page, and each active row refreshed
 * in place with conditional GETs until it completes — no page reload.
 */
import { ApiError, request, tenantPath } from '../api.js';
import { h, mount } from '../dom.js';
import { linkAttrs, navigate } from '../router.js';
import { page, renderHeader } from '../shell.js';
import { loadMe, loadOperationTypes, roleIn } from '../state.js';
import { badge, duration, initiatorText, stateText, time } from '../format.js';
import { announce } from '../announce.js';
import { pollWithEtag } from '../poll.js';
import { problemAlert } from '../problem-view.js';
import { startPanel } from './start-panel.js';
import { isActive, type OperationType, type Page, type Run } from '../types.js';

const FILTERS = ['type', 'status', 'outcome', 'surface', 'initiator', 'from', 'to'] as const;
const STATUSES = [['queued', 'Queued'], ['running', 'Running'], ['completed', 'Completed']];
const SURFACES = [['api', 'API'], ['console', 'Console'], ['schedule', 'Schedule'], ['retry', 'Retry']];
const OUTCOMES = [['pending', 'Pending'], ['succeeded', 'Succeeded'], ['partially_succeeded', 'Partially succeeded'], ['failed', 'Failed'], ['cancelled', 'Cancelled']];

/** Dates are picked as whole local days: `from` starts the day, `to` ends it. */
const dayStart = (d: string) => new Date(`${d}T00:00:00`).toISOString();
const dayEnd = (d: string) => new Date(`${d}T23:59:59.999`).toISOString();

function apiQuery(q: URLSearchParams, cursor: string | null): string {
  const out = new URLSearchParams();
  for (const k of FILTERS) {
    const v = q.get(k)?.trim();
    if (!v) continue;
    out.set(k, k === 'from' ? dayStart(v) : k === 'to' ? dayEnd(v) : v);
  }
  if (cursor) out.set('cursor', cursor);
  const s = out.toString();
  return s ? `?${s}` : '';
}

const select = (id: string, label: string, options: string[][], value: string | null) =>
  h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name: id.replace('filter-', '') }, h('option', { value: '' }, 'Any'), options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));

function filterForm(tenantId: string, types: OperationType[], q: URLSearchParams): HTMLElement {
  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    select('filter-type', 'Type', types.map((t) => [t.type, t.label]), q.get('type')),
    select('filter-status', 'Status', STATUSES, q.get('status')),
    select('filter-outcome', 'Outcome', OUTCOMES, q.get('outcome')),
    select('filter-surface', 'Surface', SURFACES, q.get('surface')),
    h('div', { class: 'field' }, h('label', { for: 'filter-initiator' }, 'Initiator'),
      h('input', { id: 'filter-initiator', name: 'initiator', type: 'text', value: q.get('initiator') ?? '', placeholder: 'user id or "system"', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('label', { for: 'filter-from' }, 'From'), h('input', { id: 'filter-from', name: 'from', type: 'date', value: q.get('from') ?? '' })),
    h('div', { class: 'field' }, h('label', { for: 'filter-to' }, 'To'), h('input', { id: 'filter-to', name: 'to', type: 'date', value: q.get('to') ?? '' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit' }, 'Apply filters'),
      h('a', { class: 'button-link', ...linkAttrs(`/console/tenants/${encodeURIComponent(tenantId)}/runs`) }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    new FormData(form).forEach((v, k) => { if (typeof v === 'string' && v.trim()) next.set(k, v.trim()); });
    const s = next.toString();
    navigate(`/console/tenants/${encodeURIComponent(tenantId)}/runs${s ? `?${s}` : ''}`);
  });
  return form;
}

function progressText(run: Run): string {
  const { processed = 0, total = 0 } = run.summaryCounts ?? {};
  return total > 0 ? `${processed} / ${total}` : run.status === 'completed' ? `${processed}` : '—';
}

function row(run: Run): HTMLTableRowElement {
  return h('tr', { 'data-run-id': run.id, 'data-testid': 'run-row' },
    h('th', { scope: 'row' }, h('a', linkAttrs(`/console/tenants/${encodeURIComponent(run.tenantId)}/runs/${encodeURIComponent(run.id)}`), run.label)),
    h('td', {}, badge(run)),
    h('td', {}, initiatorText(run.initiator)),
    h('td', {}, run.surface),
    h('td', {}, time(run.createdAt)),
    h('td', {}, duration(run.durationMs)),
    h('td', {}, progressText(run)),
    h('td', {}, run.failureCount ? String(run.failureCount) : '0'),
  );
}

export async function runsListView(params: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  const tenantId = params.tenantId;
  const stops = new Map<string, () => void>();
  const dispose = () => { for (const s of stops.values()) s(); stops.clear(); };
  await loadMe();
  await renderHeader(tenantId);
  const role = roleIn(tenantId);
  const main = page('Runs');
  if (!role) {
    // Not a member: the API would answer 404, so do not even ask.
    mount(main, h('h1', {}, 'Tenant not found'), h('p', {}, 'You are not a member of this tenant, or it does not exist.'));
    return dispose;
  }
  const types = await loadOperationTypes();
  const tenantName = (await loadMe()).memberships.find((m) => m.tenantId === tenantId)!.tenantName;

  const tbody = h('tbody');
  const status = h('p', { class: 'list-status', 'aria-live': 'polite', 'data-testid': 'list-status' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const error = h('div');
  let cursor: string | null = null;

  const watch = (run: Run, tr: HTMLTableRowElement) => {
    if (!isActive(run) || stops.has(run.id)) return;
    stops.set(run.id, pollWithEtag<Run>(tenantPath(tenantId, 'runs', run.id), {
      etag: null,
      onChange: (next) => {
        const before = stateText(run);
        run = next;
        const fresh = row(next);
        tr.replaceWith(fresh);
        tr = fresh;
        if (stateText(next) !== before) announce(`${next.label}: ${stateText(next)}`);
      },
      done: (next) => !isActive(next),
    }));
  };

  const load = async (append: boolean) => {
    more.disabled = true;
    try {
      const answer = await request<Page<Run>>('GET', `${tenantPath(tenantId, 'runs')}${apiQuery(query, append ? cursor : null)}`);
      const pageBody = answer.body!;
      if (!append) { dispose(); tbody.replaceChildren(); }
      for (const run of pageBody.items) {
        const tr = row(run);
        tbody.append(tr);
        watch(run, tr);
      }
      cursor = pageBody.nextCursor;
      more.hidden = !cursor;
      const shown = tbody.rows.length;
      // The API fills a filtered page on the server (more Queries up to a read budget), so an empty
      // page without a cursor means nothing further matches; with a cursor, the budget ran out first.
      const filtered = FILTERS.some((k) => query.get(k));
      status.textContent = shown === 0 && !cursor
        ? (filtered ? 'No runs match these filters.' : 'No runs yet.')
        : shown === 0
          ? 'No matching runs among the runs searched so far; Load more searches further.'
          : `Showing ${shown} run${shown === 1 ? '' : 's'}${cursor ? ' (more available)' : ''}.`;
      error.replaceChildren();
    } catch (err) {
      mount(error, problemAlert(err, err instanceof ApiError && err.status === 400 ? 'The filters are not valid' : 'Could not load runs'));
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void load(true));

  const start = startPanel(tenantId, role, types, () => void load(false));
  mount(main,
    h('h1', {}, `Runs — ${tenantName}`),
    start,
    h('section', { 'aria-labelledby': 'runs-heading' },
      h('h2', { id: 'runs-heading' }, 'Runs'),
      filterForm(tenantId, types, query),
      error,
      status,
      h('table', { class: 'runs', 'data-testid': 'runs-table' },
        h('caption', { class: 'visually-hidden' }, 'Runs, newest first'),
        h('thead', {}, h('tr', {}, ['Operation', 'State', 'Initiator', 'Surface', 'Created', 'Duration', 'Progress', 'Failures'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody,
      ),
      more,
    ),
  );
  await load(false);
  return dispose;
}
