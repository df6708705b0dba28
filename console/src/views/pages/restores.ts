/**
 * Restores: from a backup set, a dry run first (restore.execute with dryRun true), then the real one.
 * Group mapping targets are picked from the cached directory (GET groups), with helper text that is
 * always visible saying so. Per-item results come from GET restores/{id}.
 */
import { ApiError, get, getWithAllItems, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { badge, initiatorText, time } from '../../format.js';
import { pollWithEtag } from '../../poll.js';
import { problemAlert } from '../../problem-view.js';
import { linkAttrs } from '../../router.js';
import { startButton, type StartAnswer } from '../../start-button.js';
import { isActive, type Page, type Run } from '../../types.js';
import type { CachedGroup } from './groups.js';
import { listBackupSets } from './policies.js';
import { section, statusBadge, tenantPage, words } from './tenant-page.js';

interface SetItem { id: string; policyId: string; displayName: string; category: string; assignments: Array<{ target?: { groupId?: string } }> }
interface RestoreItem { itemId: string; policyId: string; category: string; displayName: string; status: string; changedPaths: string[]; error: { code: string; message: string } | null; at: string | null }
interface Restore { id: string; runId: string; backupSetId: string; dryRun: boolean; groupMapping: Record<string, string>; status: string; items: RestoreItem[]; createdAt: string; completedAt: string | null; initiator: { userId: string | null; name: string } }

export const MAPPING_HELP = 'Mapping targets come from the cached directory (synced by "Sync groups" on the Groups page). A group created in Entra ID since the last sync is not listed until you sync again.';
const ITEM_BADGE: Record<string, string> = { restored: 'succeeded', unchanged: 'queued', would_change: 'partially_succeeded', failed: 'failed', pending: 'pending' };

export function restoreItemsTable(r: Restore): HTMLElement {
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'restore-items' },
    h('caption', {}, `Per-item results${r.dryRun ? ' (dry run: nothing was written)' : ''}`),
    h('thead', {}, h('tr', {}, ['Policy', 'Result', 'Changed paths', 'Error'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, r.items.map((i) => h('tr', { 'data-testid': 'restore-item-row' },
      h('th', { scope: 'row' }, i.displayName, h('div', { class: 'hint' }, i.category)),
      h('td', {}, statusBadge(ITEM_BADGE[i.status] ?? 'pending', words(i.status), 'item-status')),
      h('td', {}, i.changedPaths.length ? h('ul', { class: 'paths' }, i.changedPaths.map((x) => h('li', {}, h('code', {}, x)))) : '—'),
      h('td', {}, i.error ? [h('code', {}, i.error.code), ' ', i.error.message] : '—')))),
  ));
}

async function allCachedGroups(tenantId: string): Promise<CachedGroup[]> {
  const out: CachedGroup[] = [];
  let cursor: string | null = null;
  // Bounded: at most 10 pages of 100 for the picker.
  for (let i = 0; i < 10; i++) {
    const page: Page<CachedGroup> = await get(`${tenantPath(tenantId, 'groups')}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export async function restoresView(params: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  let stop: () => void = () => undefined;
  const p = await tenantPage(params.tenantId, 'Restores');
  if (!p) return stop;
  const [sets, groups] = await Promise.all([listBackupSets(p.tenantId), allCachedGroups(p.tenantId)]);
  const groupName = new Map(groups.map((g) => [g.id, g.displayName]));
  const setSelect = h('select', { id: 'restore-set' }, h('option', { value: '' }, sets.length ? 'Choose a backup set…' : 'No backup sets yet'),
    sets.map((s) => h('option', { value: s.id, selected: s.id === query.get('backupSetId') }, `${s.name} (${s.itemCount} items)`)));
  const itemsHost = h('div');
  const mappingHost = h('div');
  const dryResult = h('div', { 'aria-live': 'polite', 'data-testid': 'dry-run-result' });
  let itemBoxes: HTMLInputElement[] = [];
  let mappingSelects: HTMLSelectElement[] = [];
  /** the selection the last successful dry run covered; the real restore needs the same one */
  let dryRunFor: string | null = null;
  const input = (dryRun: boolean) => {
    if (!setSelect.value) throw new Error('Choose a backup set first.');
    const itemIds = itemBoxes.filter((b) => b.checked).map((b) => b.value);
    const groupMapping = Object.fromEntries(mappingSelects.filter((s) => s.value).map((s) => [s.name, s.value]));
    return { backupSetId: setSelect.value, ...(itemIds.length ? { itemIds } : {}), ...(Object.keys(groupMapping).length ? { groupMapping } : {}), dryRun };
  };
  const selectionKey = () => { try { const { dryRun: _d, ...rest } = input(true); return JSON.stringify(rest); } catch { return null; } };

  const dry = startButton({
    tenantId: p.tenantId, role: p.role, types: p.types, type: 'restore.execute', label: 'Dry run', testId: 'restore-dry-run',
    unavailable: () => (setSelect.value ? null : 'Choose a backup set first.'),
    input: () => input(true),
    onStarted: (a) => followDryRun(a),
  });
  const real = startButton({
    tenantId: p.tenantId, role: p.role, types: p.types, type: 'restore.execute', label: 'Restore now', testId: 'restore-real',
    unavailable: () => (dryRunFor !== null && dryRunFor === selectionKey() ? null : 'Run a dry run of this selection first; the real restore is offered once it has finished.'),
    input: () => input(false),
  });
  const changed = () => { dry.refresh(); real.refresh(); };

  const followDryRun = (a: StartAnswer) => {
    stop();
    const key = selectionKey();
    const show = async (run: Run) => {
      if (isActive(run)) { mount(dryResult, h('p', {}, 'Dry run ', badge(run), ' — results appear when it finishes.')); return; }
      const restoreId = run.context?.restoreId;
      if (typeof restoreId !== 'string') { mount(dryResult, h('p', {}, 'Dry run ', badge(run))); return; }
      const r = await getWithAllItems<Restore>(tenantPath(p.tenantId, 'restores', restoreId));
      const would = r.items.filter((i) => i.status === 'would_change').length;
      mount(dryResult,
        h('p', { 'data-testid': 'dry-run-summary' }, 'Dry run ', badge(run), ` — ${would} of ${r.items.length} item${r.items.length === 1 ? '' : 's'} would change. `, h('a', linkAttrs(`${p.base}/restores/${encodeURIComponent(r.id)}`), 'Open the restore')),
        restoreItemsTable(r));
      if (run.outcome === 'succeeded' || run.outcome === 'partially_succeeded') { dryRunFor = key; changed(); }
    };
    void show(a.run);
    if (isActive(a.run)) {
      stop = pollWithEtag<Run>(tenantPath(p.tenantId, 'runs', a.run.id), { etag: null, onChange: (r) => void show(r), done: (r) => !isActive(r), intervalMs: 1000 });
    }
  };

  const loadSet = async () => {
    dryRunFor = null; itemBoxes = []; mappingSelects = [];
    itemsHost.replaceChildren(); mappingHost.replaceChildren(); dryResult.replaceChildren();
    changed();
    if (!setSelect.value) return;
    try {
      const set = await getWithAllItems<{ items: SetItem[] }>(tenantPath(p.tenantId, 'backup-sets', setSelect.value));
      itemBoxes = set.items.map((i) => h('input', { type: 'checkbox', id: `restore-item-${i.id}`, value: i.id }));
      itemBoxes.forEach((b) => b.addEventListener('change', changed));
      mount(itemsHost, set.items.length === 0 ? h('p', {}, 'This backup set has no items.') : h('fieldset', { class: 'field' },
        h('legend', {}, 'Items (optional)'), h('p', { class: 'hint' }, 'None chosen means every item of the set.'),
        h('div', { class: 'checks' }, set.items.map((i, k) => h('div', { class: 'check' }, itemBoxes[k], h('label', { for: itemBoxes[k].id }, i.displayName))))));
      const sources = [...new Set(set.items.flatMap((i) => i.assignments.map((a) => a.target?.groupId).filter((g): g is string => typeof g === 'string')))];
      mappingSelects = sources.map((src) => {
        const s = h('select', { id: `map-${src}`, name: src }, h('option', { value: '' }, 'Keep the same group'), groups.map((g) => h('option', { value: g.id }, g.displayName)));
        s.addEventListener('change', changed);
        return s;
      });
      mount(mappingHost, sources.length === 0 ? h('p', {}, 'The items of this set are assigned to no groups.') : h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'group-mapping' },
        h('caption', { class: 'visually-hidden' }, 'Group mapping'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Assigned group in the backup'), h('th', { scope: 'col' }, 'Restore it to'))),
        h('tbody', {}, sources.map((src, k) => h('tr', {},
          h('th', { scope: 'row' }, h('label', { for: mappingSelects[k].id }, groupName.get(src) ?? 'Group not in the cache', ' ', h('code', {}, src))),
          h('td', {}, mappingSelects[k])))))));
    } catch (err) {
      mount(itemsHost, problemAlert(err, 'Could not load the backup set'));
    }
    changed();
  };
  setSelect.addEventListener('change', () => void loadSet());

  mount(p.main,
    h('h1', {}, `Restores — ${p.tenantName}`),
    section('restore-from-heading', 'Restore from a backup set',
      h('div', { class: 'field' }, h('label', { for: 'restore-set' }, 'Backup set'), setSelect),
      itemsHost,
      h('h3', { id: 'mapping-heading' }, 'Group mapping'),
      h('p', { class: 'hint helper', 'data-testid': 'mapping-help' }, MAPPING_HELP, ' ', h('a', linkAttrs(`${p.base}/groups`), 'Go to Groups')),
      mappingHost,
      h('ol', { class: 'steps' },
        h('li', {}, h('strong', {}, 'Dry run: '), 'compares each item with the live policy and writes nothing.', dry.element, dryResult),
        h('li', {}, h('strong', {}, 'Restore: '), 'writes the differing items back to Microsoft Graph.', real.element)),
    ),
  );
  if (setSelect.value) await loadSet();
  return () => stop();
}

export async function restoreDetailView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Restore');
  if (!p) return;
  const back = h('p', {}, h('a', linkAttrs(`${p.base}/restores`), '← Restores'));
  let r: Restore;
  try {
    r = await getWithAllItems<Restore>(tenantPath(p.tenantId, 'restores', params.restoreId));
  } catch (err) {
    mount(p.main, back, h('h1', {}, 'Restore'), err instanceof ApiError && err.status === 404 ? h('p', {}, 'Not found.') : problemAlert(err));
    return;
  }
  mount(p.main, back,
    h('h1', {}, r.dryRun ? 'Restore dry run' : 'Restore', ' ', statusBadge(r.status === 'completed' ? 'succeeded' : r.status === 'failed' ? 'failed' : 'running', words(r.status))),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Backup set'), h('dd', {}, h('a', linkAttrs(`${p.base}/backup-sets/${encodeURIComponent(r.backupSetId)}`), r.backupSetId)),
      h('dt', {}, 'Run'), h('dd', {}, h('a', linkAttrs(`${p.base}/runs/${encodeURIComponent(r.runId)}`), 'View run')),
      h('dt', {}, 'Initiator'), h('dd', {}, initiatorText(r.initiator)),
      h('dt', {}, 'Created'), h('dd', {}, time(r.createdAt)),
      h('dt', {}, 'Completed'), h('dd', {}, time(r.completedAt)),
      h('dt', {}, 'Group mapping'), h('dd', {}, Object.keys(r.groupMapping).length ? Object.entries(r.groupMapping).map(([a, b]) => h('div', {}, h('code', {}, a), ' → ', h('code', {}, b))) : 'None')),
    restoreItemsTable(r),
  );
}
