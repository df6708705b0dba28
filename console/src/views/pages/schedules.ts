/**
 * Backup schedules: create (POST), edit (PATCH), delete (DELETE), "Run now" (backup_schedule.run_now),
 * next run time and last skip reason; a schedule's history with "Retry" on a failed or partially
 * succeeded run (backup_schedule.retry with scheduleId + runId).
 */
import { ApiError, del, get, patch, post, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { problemAlert } from '../../problem-view.js';
import { linkAttrs, navigate } from '../../router.js';
import { roleReason, startButton } from '../../start-button.js';
import type { Page } from '../../types.js';
import { section, statusBadge, tenantPage, words, type TenantPage } from './tenant-page.js';

const CATEGORIES = ['deviceConfigurations', 'deviceCompliancePolicies', 'configurationPolicies', 'groupPolicyConfigurations', 'managedAppPolicies', 'deviceEnrollmentConfigurations'];
interface Schedule { id: string; name: string; cron: string; categories: string[] | null; keepLast: number; enabled: boolean; nextRunAt: string | null; lastRunId: string | null; lastSkip: { at: string; reason: string; runId: string | null; scheduledFor: string } | null }
interface HistoryEntry { runId: string; type: string; scheduledFor: string | null; status: string; backupSetId: string; retryOfRunId: string | null; failedItemCount: number; createdAt: string; completedAt: string | null }
const RETRYABLE = new Set(['failed', 'partially_succeeded']);

/** The schedule fields as a form; `initial` pre-fills it for editing. */
function scheduleForm(idPrefix: string, initial: Schedule | null, disabledWhy: string | null, submitLabel: string, onSubmit: (body: Record<string, unknown>) => Promise<void>): HTMLElement {
  const f = (name: string) => `${idPrefix}-${name}`;
  const name = h('input', { id: f('name'), type: 'text', value: initial?.name ?? '', required: true, autocomplete: 'off' });
  const cron = h('input', { id: f('cron'), type: 'text', value: initial?.cron ?? '0 2 * * *', required: true, autocomplete: 'off', 'aria-describedby': f('cron-hint') });
  const keep = h('input', { id: f('keep'), type: 'number', min: 1, max: 365, value: initial?.keepLast ?? 7 });
  const enabled = h('input', { id: f('enabled'), type: 'checkbox', checked: initial ? initial.enabled : true });
  const boxes = CATEGORIES.map((c) => h('input', { type: 'checkbox', id: f(`cat-${c}`), value: c, checked: initial?.categories?.includes(c) ?? false }));
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, submitLabel);
  const form = h('form', { class: 'schedule-form', 'aria-label': submitLabel },
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: f('name') }, 'Name'), name),
      h('div', { class: 'field' }, h('label', { for: f('cron') }, 'Cron (UTC)'), cron, h('p', { class: 'hint', id: f('cron-hint') }, 'Five fields, e.g. "0 2 * * *" = daily at 02:00 UTC.')),
      h('div', { class: 'field' }, h('label', { for: f('keep') }, 'Keep last (sets)'), keep),
      h('div', { class: 'field check' }, enabled, h('label', { for: f('enabled') }, 'Enabled'))),
    h('fieldset', { class: 'field' }, h('legend', {}, 'Categories'), h('p', { class: 'hint' }, 'None chosen means all.'),
      h('div', { class: 'checks' }, boxes.map((b) => h('div', { class: 'check' }, b, h('label', { for: b.id }, b.value))))),
    submit, out);
  if (disabledWhy) for (const el of Array.from(form.querySelectorAll('input, button'))) (el as HTMLInputElement).disabled = true;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const cats = boxes.filter((b) => b.checked).map((b) => b.value);
    const body: Record<string, unknown> = { name: name.value.trim(), cron: cron.value.trim(), keepLast: Number(keep.value), enabled: enabled.checked };
    if (cats.length) body.categories = cats; else if (initial) body.categories = null;
    submit.disabled = true;
    try { await onSubmit(body); out.replaceChildren(); } catch (err) { mount(out, problemAlert(err, 'Could not save')); } finally { submit.disabled = false; }
  });
  return form;
}

const runNow = (p: TenantPage, s: Schedule) => startButton({
  tenantId: p.tenantId, role: p.role, types: p.types, type: 'backup_schedule.run_now', label: 'Run now', input: () => ({ scheduleId: s.id }), testId: `run-now-${s.id}`,
});

const skipText = (s: Schedule) => (s.lastSkip ? `${s.lastSkip.reason} (at ${new Date(s.lastSkip.at).toLocaleString()})` : '—');

export async function schedulesView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Backup schedules');
  if (!p) return;
  const why = roleReason(p.role, 'manager', 'Creating, editing or deleting a schedule');
  const list = pagedList<Schedule>({
    fetchPage: (cursor) => get<Page<Schedule>>(`${tenantPath(p.tenantId, 'backup-schedules')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Schedule', 'Cron (UTC)', 'State', 'Next run', 'Last skip reason', 'Run now'],
    row: (s) => h('tr', { 'data-testid': 'schedule-row', 'data-schedule-id': s.id },
      h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/backup-schedules/${encodeURIComponent(s.id)}`), s.name)),
      h('td', {}, h('code', {}, s.cron)),
      h('td', {}, s.enabled ? statusBadge('succeeded', 'Enabled') : statusBadge('cancelled', 'Disabled')),
      h('td', { 'data-field': 'next-run' }, s.nextRunAt ? time(s.nextRunAt) : 'Not scheduled'),
      h('td', { 'data-field': 'last-skip' }, skipText(s)),
      h('td', {}, runNow(p, s).element)),
    caption: 'Backup schedules', empty: 'No backup schedules yet.', testId: 'schedules', noun: ['schedule', 'schedules'],
  });
  const out = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'create-schedule-result' });
  const form = scheduleForm('new-schedule', null, why, 'Create schedule', async (body) => {
    const created = (await post<Schedule>(tenantPath(p.tenantId, 'backup-schedules'), body)).body!;
    mount(out, h('p', { class: 'success' }, 'Created ', h('a', linkAttrs(`${p.base}/backup-schedules/${encodeURIComponent(created.id)}`), created.name), '.'));
    await list.reload();
  });
  mount(p.main,
    h('h1', {}, `Backup schedules — ${p.tenantName}`),
    section('create-schedule-heading', 'Create a schedule', why ? h('p', { class: 'reason' }, why) : null, form, out),
    section('schedules-list-heading', 'Schedules', list.element),
  );
  await list.reload();
}

export async function scheduleDetailView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Backup schedule');
  if (!p) return;
  const back = h('p', {}, h('a', linkAttrs(`${p.base}/backup-schedules`), '← All schedules'));
  const path = tenantPath(p.tenantId, 'backup-schedules', params.scheduleId);
  let s: Schedule & { history: HistoryEntry[] };
  try {
    s = await get(path);
  } catch (err) {
    mount(p.main, back, h('h1', {}, 'Backup schedule'), err instanceof ApiError && err.status === 404 ? h('p', {}, 'Not found.') : problemAlert(err));
    return;
  }
  document.title = `${s.name} · Operation Runs`;
  const why = roleReason(p.role, 'manager', 'Editing or deleting a schedule');
  const edit = scheduleForm('edit-schedule', s, why, 'Save changes', async (body) => {
    await patch(path, body);
    await scheduleDetailView(params);
  });
  const delOut = h('div', { role: 'status', 'aria-live': 'polite' });
  const delBtn = h('button', { type: 'button', class: 'danger', disabled: why !== null, 'data-testid': 'delete-schedule' }, 'Delete schedule');
  let armed = false;
  delBtn.addEventListener('click', async () => {
    // Two steps instead of a modal dialog: the first press asks, the second deletes.
    if (!armed) { armed = true; delBtn.textContent = 'Confirm delete'; mount(delOut, h('p', { class: 'notice' }, 'Press "Confirm delete" to delete this schedule. Its backup sets stay.')); return; }
    try { await del(path); navigate(`${p.base}/backup-schedules`); } catch (err) { mount(delOut, problemAlert(err, 'Could not delete')); }
  });
  const history = s.history.map((e) => {
    const retry = RETRYABLE.has(e.status) && e.type === 'backup_schedule.run_now'
      ? startButton({ tenantId: p.tenantId, role: p.role, types: p.types, type: 'backup_schedule.retry', label: 'Retry', input: () => ({ scheduleId: s.id, runId: e.runId }), testId: `retry-${e.runId}` }).element
      : null;
    return h('tr', { 'data-testid': 'history-row', 'data-run-id': e.runId },
      h('th', { scope: 'row' }, h('a', linkAttrs(`${p.base}/runs/${encodeURIComponent(e.runId)}`), e.type === 'backup_schedule.retry' ? 'Retry' : e.scheduledFor ? 'Scheduled' : 'Run now')),
      h('td', {}, statusBadge(e.status, words(e.status))),
      h('td', {}, time(e.createdAt)),
      h('td', {}, String(e.failedItemCount)),
      h('td', {}, h('a', linkAttrs(`${p.base}/backup-sets/${encodeURIComponent(e.backupSetId)}`), 'Backup set')),
      h('td', {}, retry ?? '—'));
  });
  mount(p.main, back,
    h('h1', {}, s.name, ' ', s.enabled ? statusBadge('succeeded', 'Enabled') : statusBadge('cancelled', 'Disabled')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Cron (UTC)'), h('dd', {}, h('code', {}, s.cron)),
      h('dt', {}, 'Next run'), h('dd', { 'data-testid': 'next-run' }, s.nextRunAt ? time(s.nextRunAt) : 'Not scheduled'),
      h('dt', {}, 'Last skip reason'), h('dd', { 'data-testid': 'last-skip' }, skipText(s)),
      h('dt', {}, 'Categories'), h('dd', {}, s.categories?.join(', ') ?? 'All'),
      h('dt', {}, 'Keep last'), h('dd', {}, `${s.keepLast} sets`)),
    section('run-now-heading', 'Run now', runNow(p, s).element),
    section('history-heading', 'Recent runs',
      history.length === 0 ? h('p', {}, 'No runs yet.') : h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'history' },
        h('thead', {}, h('tr', {}, ['Run', 'State', 'Started', 'Failed items', 'Set', 'Retry'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, history)))),
    section('edit-schedule-heading', 'Edit', why ? h('p', { class: 'reason' }, why) : null, edit),
    section('delete-schedule-heading', 'Delete', delBtn, delOut),
  );
}
