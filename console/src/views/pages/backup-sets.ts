/** Backup sets: create (POST backup-sets), list (paginated), and one set's items, paginated. */
import { ApiError, get, getWithAllItems, post, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { initiatorText, time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { problemAlert } from '../../problem-view.js';
import { linkAttrs } from '../../router.js';
import { roleReason } from '../../start-button.js';
import type { Page } from '../../types.js';
import type { BackupSetHead } from './policies.js';
import { section, statusBadge, tenantPage, words } from './tenant-page.js';

interface BackupSet extends BackupSetHead { createdBy: { userId: string | null; name: string }; runId: string | null; completedAt: string | null }
interface BackupItem { id: string; policyId: string; category: string; displayName: string; contentHash: string; capturedAt: string; runId: string }
const SET_BADGE: Record<string, string> = { complete: 'succeeded', in_progress: 'running', failed: 'failed', cancelled: 'cancelled' };
export const ITEMS_PER_PAGE = 20;

export async function backupSetsView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Backup sets');
  if (!p) return;
  const list = pagedList<BackupSet>({
    fetchPage: (cursor) => get<Page<BackupSet>>(`${tenantPath(p.tenantId, 'backup-sets')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Name', 'State', 'Items', 'Created', 'Created by', 'Schedule'],
    row: (s) => h('tr', { 'data-testid': 'backup-set-row', 'data-set-id': s.id },
      h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/backup-sets/${encodeURIComponent(s.id)}`), s.name)),
      h('td', {}, statusBadge(SET_BADGE[s.status] ?? 'pending', words(s.status))), h('td', {}, String(s.itemCount)),
      h('td', {}, time(s.createdAt)), h('td', {}, initiatorText(s.createdBy)),
      h('td', {}, s.scheduleId ? h('a', linkAttrs(`${p.base}/backup-schedules/${encodeURIComponent(s.scheduleId)}`), s.scheduleId) : '—')),
    caption: 'Backup sets, newest first', empty: 'No backup sets yet.', testId: 'backup-sets', noun: ['backup set', 'backup sets'],
  });
  const why = roleReason(p.role, 'operator', 'Creating a backup set');
  const name = h('input', { id: 'new-set-name', type: 'text', required: true, autocomplete: 'off', disabled: why !== null, 'aria-describedby': why ? 'new-set-reason' : null });
  const out = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'create-set-result' });
  const form = h('form', { class: 'row', 'aria-label': 'Create a backup set' },
    h('div', { class: 'field' }, h('label', { for: 'new-set-name' }, 'Name'), name),
    h('button', { type: 'submit', disabled: why !== null, 'aria-describedby': why ? 'new-set-reason' : null }, 'Create backup set'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await post<BackupSet>(tenantPath(p.tenantId, 'backup-sets'), { name: name.value });
      const set = answer.body!;
      name.value = '';
      mount(out, h('p', { class: 'success' }, 'Created ', h('a', linkAttrs(`${p.base}/backup-sets/${encodeURIComponent(set.id)}`), set.name), '. Add policies to it on the ', h('a', linkAttrs(`${p.base}/policies`), 'Policies'), ' page.'));
      await list.reload();
    } catch (err) {
      mount(out, problemAlert(err, 'Could not create'));
    }
  });
  mount(p.main,
    h('h1', {}, `Backup sets — ${p.tenantName}`),
    section('create-set-heading', 'Create a backup set', form, why ? h('p', { class: 'reason', id: 'new-set-reason' }, why) : null, out),
    section('sets-list-heading', 'Backup sets', list.element),
  );
  await list.reload();
}

export async function backupSetDetailView(params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Backup set');
  if (!p) return;
  const back = h('p', {}, h('a', linkAttrs(`${p.base}/backup-sets`), '← All backup sets'));
  let set: BackupSet & { items: BackupItem[] };
  try {
    set = await getWithAllItems(tenantPath(p.tenantId, 'backup-sets', params.backupSetId));
  } catch (err) {
    mount(p.main, back, h('h1', {}, 'Backup set'), err instanceof ApiError && err.status === 404 ? h('p', {}, 'Not found.') : problemAlert(err));
    return;
  }
  document.title = `${set.name} · Operation Runs`;
  const pages = Math.max(1, Math.ceil(set.items.length / ITEMS_PER_PAGE));
  const pageNo = Math.min(pages, Math.max(1, Number(query.get('page')) || 1));
  const shown = set.items.slice((pageNo - 1) * ITEMS_PER_PAGE, pageNo * ITEMS_PER_PAGE);
  const here = `${p.base}/backup-sets/${encodeURIComponent(set.id)}`;
  const pager = h('nav', { class: 'pager', 'aria-label': 'Item pages' },
    pageNo > 1 ? h('a', { ...linkAttrs(`${here}?page=${pageNo - 1}`), rel: 'prev' }, '← Previous') : null,
    h('span', { 'data-testid': 'items-page' }, `Page ${pageNo} of ${pages}`),
    pageNo < pages ? h('a', { ...linkAttrs(`${here}?page=${pageNo + 1}`), rel: 'next' }, 'Next →') : null);
  mount(p.main, back,
    h('h1', {}, set.name, ' ', statusBadge(SET_BADGE[set.status] ?? 'pending', words(set.status))),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Items'), h('dd', { 'data-testid': 'set-item-count' }, String(set.itemCount)),
      h('dt', {}, 'Created'), h('dd', {}, time(set.createdAt)),
      h('dt', {}, 'Created by'), h('dd', {}, initiatorText(set.createdBy)),
      h('dt', {}, 'Set id'), h('dd', {}, h('code', {}, set.id)),
      set.runId ? [h('dt', {}, 'Run'), h('dd', {}, h('a', linkAttrs(`${p.base}/runs/${encodeURIComponent(set.runId)}`), 'View run'))] : null),
    h('p', {}, h('a', linkAttrs(`${p.base}/restores?backupSetId=${encodeURIComponent(set.id)}`), 'Restore from this set…')),
    section('items-heading', `Items (${set.items.length})`,
      set.items.length === 0 ? h('p', {}, 'No items yet. Add policies on the ', h('a', linkAttrs(`${p.base}/policies`), 'Policies'), ' page.') : [
        h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'set-items' },
          h('thead', {}, h('tr', {}, ['Policy', 'Category', 'Captured', 'Content hash'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, shown.map((i) => h('tr', { 'data-testid': 'set-item-row' },
            h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/policies/${encodeURIComponent(i.policyId)}`), i.displayName)),
            h('td', {}, i.category), h('td', {}, time(i.capturedAt)), h('td', {}, h('code', {}, i.contentHash.slice(0, 12)))))))),
        pager,
      ]),
  );
}
