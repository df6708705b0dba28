/**
 * Policies (GET policies, DB only) with "Sync now" (policy.sync) and "Add selected to a backup set"
 * (backup_set.add_policies); one policy's versions and a diff between two of them (client-side).
 */
import { ApiError, get, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { jsonDiff } from '../../json-diff.js';
import { pagedList } from '../../paged.js';
import { problemAlert } from '../../problem-view.js';
import { linkAttrs } from '../../router.js';
import { startButton } from '../../start-button.js';
import type { Page } from '../../types.js';
import { section, tenantPage } from './tenant-page.js';

interface PolicyHead { policyId: string; category: string; displayName: string; latestVersion: number; contentHash: string; lastSyncedAt: string }
interface PolicyVersion { version: number; contentHash: string; capturedAt: string; runId: string; content: Record<string, unknown>; assignments: unknown[] }
export interface BackupSetHead { id: string; name: string; status: string; itemCount: number; createdAt: string; scheduleId: string | null }

export const listBackupSets = async (tenantId: string) => (await get<Page<BackupSetHead>>(`${tenantPath(tenantId, 'backup-sets')}?limit=100`)).items;

export async function policiesView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Policies');
  if (!p) return;
  const selected = new Set<string>();
  const selectedText = h('p', { class: 'hint', 'aria-live': 'polite', 'data-testid': 'selected-count' }, 'No policies selected.');
  const list = pagedList<PolicyHead>({
    fetchPage: (cursor) => get<Page<PolicyHead>>(`${tenantPath(p.tenantId, 'policies')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Select', 'Policy', 'Category', 'Latest version', 'Last synced'],
    row: (x) => {
      const box = h('input', { type: 'checkbox', id: `select-${x.policyId}`, value: x.policyId, 'aria-label': `Select ${x.displayName}` });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(x.policyId); else selected.delete(x.policyId);
        selectedText.textContent = selected.size ? `${selected.size} selected.` : 'No policies selected.';
        add.refresh();
      });
      return h('tr', { 'data-testid': 'policy-row', 'data-policy-id': x.policyId },
        h('td', {}, box),
        h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/policies/${encodeURIComponent(x.policyId)}`), x.displayName)),
        h('td', {}, x.category), h('td', {}, `v${x.latestVersion}`), h('td', {}, time(x.lastSyncedAt)));
    },
    caption: 'Policies', empty: 'No policies yet. Press "Sync now" to read them from Microsoft Graph.', testId: 'policies', noun: ['policy', 'policies'],
  });
  const sets = await listBackupSets(p.tenantId);
  const setSelect = h('select', { id: 'add-backup-set' },
    h('option', { value: '' }, sets.length ? 'Choose a backup set…' : 'No backup sets yet'),
    sets.map((s) => h('option', { value: s.id }, `${s.name} (${s.itemCount} items)`)));
  setSelect.addEventListener('change', () => add.refresh());
  const sync = startButton({ tenantId: p.tenantId, role: p.role, types: p.types, type: 'policy.sync', label: 'Sync now', input: () => ({}), testId: 'sync-policies' });
  const add = startButton({
    tenantId: p.tenantId, role: p.role, types: p.types, type: 'backup_set.add_policies', label: 'Add selected to backup set', testId: 'add-to-set',
    unavailable: () => (!selected.size ? 'Select at least one policy first.' : !setSelect.value ? 'Choose a backup set first.' : null),
    input: () => ({ backupSetId: setSelect.value, policyIds: [...selected] }),
  });
  mount(p.main,
    h('h1', {}, `Policies — ${p.tenantName}`),
    section('policies-sync-heading', 'Sync', h('p', { class: 'hint' }, 'Captures a new version of every policy whose content changed in Microsoft Graph.'), sync.element),
    section('policies-add-heading', 'Add to a backup set',
      h('div', { class: 'field' }, h('label', { for: 'add-backup-set' }, 'Backup set'), setSelect,
        h('p', { class: 'hint' }, 'Create sets on the ', h('a', linkAttrs(`${p.base}/backup-sets`), 'Backup sets'), ' page.')),
      selectedText, add.element),
    section('policies-list-heading', 'Policies', list.element),
  );
  await list.reload();
}

export async function policyDetailView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Policy');
  if (!p) return;
  const back = h('p', {}, h('a', linkAttrs(`${p.base}/policies`), '← All policies'));
  let policy: PolicyHead & { versions: PolicyVersion[] };
  try {
    policy = await get(`${tenantPath(p.tenantId, 'policies', params.policyId)}?versions=100`);
  } catch (err) {
    mount(p.main, back, h('h1', {}, 'Policy'), err instanceof ApiError && err.status === 404 ? h('p', {}, 'Not found.') : problemAlert(err));
    return;
  }
  document.title = `${policy.displayName} · Operation Runs`;
  const versions = policy.versions;
  const pick = (id: string, label: string, chosen: number | undefined) => {
    const s = h('select', { id }, versions.map((v) => h('option', { value: v.version, selected: v.version === chosen }, `v${v.version} — ${new Date(v.capturedAt).toLocaleString()}`)));
    return { s, field: h('div', { class: 'field' }, h('label', { for: id }, label), s) };
  };
  const from = pick('diff-from', 'From version', versions[1]?.version ?? versions[0]?.version);
  const to = pick('diff-to', 'To version', versions[0]?.version);
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'diff' });
  const showDiff = () => {
    const a = versions.find((v) => v.version === Number(from.s.value));
    const b = versions.find((v) => v.version === Number(to.s.value));
    if (!a || !b) { mount(out, h('p', {}, 'Choose two versions.')); return; }
    const changes = jsonDiff({ content: a.content, assignments: a.assignments }, { content: b.content, assignments: b.assignments });
    mount(out,
      h('p', { 'data-testid': 'diff-summary' }, changes.length ? `${changes.length} changed path${changes.length === 1 ? '' : 's'} from v${a.version} to v${b.version}.` : `v${a.version} and v${b.version} are identical.`),
      changes.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'diff' },
        h('caption', { class: 'visually-hidden' }, 'Changed paths'),
        h('thead', {}, h('tr', {}, ['Path', 'Change', `v${a.version}`, `v${b.version}`].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, changes.map((c) => h('tr', { 'data-testid': 'diff-row' },
          h('th', { scope: 'row' }, h('code', { 'data-testid': 'diff-path' }, c.path)), h('td', {}, c.kind),
          h('td', {}, h('code', {}, c.before === undefined ? '—' : JSON.stringify(c.before))),
          h('td', {}, h('code', {}, c.after === undefined ? '—' : JSON.stringify(c.after)))))),
      )) : null,
    );
  };
  from.s.addEventListener('change', showDiff);
  to.s.addEventListener('change', showDiff);
  const sync = startButton({ tenantId: p.tenantId, role: p.role, types: p.types, type: 'policy.sync', label: 'Sync this policy', input: () => ({ policyIds: [policy.policyId] }), testId: 'sync-policy' });
  mount(p.main, back,
    h('h1', {}, policy.displayName),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Category'), h('dd', {}, policy.category),
      h('dt', {}, 'Policy id'), h('dd', {}, h('code', {}, policy.policyId)),
      h('dt', {}, 'Latest version'), h('dd', {}, `v${policy.latestVersion}`),
      h('dt', {}, 'Last synced'), h('dd', {}, time(policy.lastSyncedAt))),
    section('policy-sync-heading', 'Sync', sync.element),
    section('versions-heading', `Versions (${versions.length})`,
      h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'versions' },
        h('thead', {}, h('tr', {}, ['Version', 'Captured', 'Content hash', 'Run'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, versions.map((v) => h('tr', {},
          h('th', { scope: 'row' }, `v${v.version}`), h('td', {}, time(v.capturedAt)), h('td', {}, h('code', {}, v.contentHash.slice(0, 12))),
          h('td', {}, h('a', linkAttrs(`${p.base}/runs/${encodeURIComponent(v.runId)}`), 'View run'))))))),
    ),
    section('diff-heading', 'Compare versions',
      versions.length < 2 ? h('p', {}, 'Only one version so far; a diff needs two.') : [h('div', { class: 'row' }, from.field, to.field), out]),
  );
  if (versions.length >= 2) showDiff();
}
