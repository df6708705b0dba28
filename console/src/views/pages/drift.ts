/** Drift: "Generate now" (drift.generate, optionally against a chosen baseline set) and the findings with their JSON paths. */
import { get, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { linkAttrs } from '../../router.js';
import { startButton } from '../../start-button.js';
import type { Page } from '../../types.js';
import { listBackupSets } from './policies.js';
import { section, statusBadge, tenantPage } from './tenant-page.js';

interface Finding { baselineBackupSetId: string; policyId: string; category: string; displayName: string; kind: 'added' | 'removed' | 'modified'; changedPaths: string[]; policyVersion: number | null; detectedAt: string; runId: string }
const KIND_BADGE = { added: 'running', removed: 'failed', modified: 'partially_succeeded' } as const;

export async function driftView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Drift');
  if (!p) return;
  const sets = await listBackupSets(p.tenantId);
  const baseline = h('select', { id: 'drift-baseline' }, h('option', { value: '' }, 'Latest complete backup set'), sets.map((s) => h('option', { value: s.id }, s.name)));
  const generate = startButton({
    tenantId: p.tenantId, role: p.role, types: p.types, type: 'drift.generate', label: 'Generate now', testId: 'generate-drift',
    input: () => (baseline.value ? { baselineBackupSetId: baseline.value } : {}),
  });
  const list = pagedList<Finding>({
    fetchPage: (cursor) => get<Page<Finding>>(`${tenantPath(p.tenantId, 'drift-findings')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Policy', 'Change', 'Changed JSON paths', 'Baseline set', 'Detected'],
    row: (f) => h('tr', { 'data-testid': 'finding-row' },
      h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/policies/${encodeURIComponent(f.policyId)}`), f.displayName), h('div', { class: 'hint' }, f.category)),
      h('td', {}, statusBadge(KIND_BADGE[f.kind], f.kind[0].toUpperCase() + f.kind.slice(1), 'finding-kind')),
      h('td', {}, f.changedPaths.length ? h('ul', { class: 'paths' }, f.changedPaths.map((x) => h('li', {}, h('code', { 'data-testid': 'finding-path' }, x)))) : '—'),
      h('td', {}, h('a', linkAttrs(`${p.base}/backup-sets/${encodeURIComponent(f.baselineBackupSetId)}`), f.baselineBackupSetId)),
      h('td', {}, time(f.detectedAt), ' ', h('a', linkAttrs(`${p.base}/runs/${encodeURIComponent(f.runId)}`), 'View run'))),
    caption: 'Drift findings', empty: 'No drift findings. Press "Generate now" to compare the policies with a backup set.', testId: 'findings', noun: ['finding', 'findings'],
  });
  mount(p.main,
    h('h1', {}, `Drift — ${p.tenantName}`),
    section('drift-generate-heading', 'Generate',
      h('div', { class: 'field' }, h('label', { for: 'drift-baseline' }, 'Baseline'), baseline),
      generate.element),
    section('drift-list-heading', 'Findings', list.element),
  );
  await list.reload();
}
