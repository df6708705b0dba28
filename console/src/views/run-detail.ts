/**
 * One run (the API's viewUrl): state, who/where/when, progress from summaryCounts, counts,
 * sanitized failures, links to its domain records, and Cancel while active. While the run is
 * active it re-reads itself with If-None-Match every couple of seconds (304 = nothing changed).
 */
import { ApiError, request, tenantPath } from '../api.js';
import { h, mount } from '../dom.js';
import { linkAttrs } from '../router.js';
import { page, renderHeader } from '../shell.js';
import { loadMe, loadOperationTypes, roleIn } from '../state.js';
import { badge, duration, initiatorText, outcomeText, stateSentence, stateText, statusText, time } from '../format.js';
import { announce } from '../announce.js';
import { pollWithEtag } from '../poll.js';
import { problemAlert } from '../problem-view.js';
import { isActive, roleAtLeast, type Run } from '../types.js';

/** context keys that point at a domain record, and the console path that shows it */
const RECORD_LINKS: Array<{ key: string; kind: string; label: string }> = [
  { key: 'backupSetId', kind: 'backup-sets', label: 'Backup set' },
  { key: 'restoreId', kind: 'restores', label: 'Restore' },
  { key: 'scheduleId', kind: 'backup-schedules', label: 'Backup schedule' },
];

const COUNT_ORDER = ['total', 'processed', 'succeeded', 'failed', 'skipped'];

function progress(run: Run): HTMLElement {
  const total = run.summaryCounts?.total ?? 0;
  const processed = run.summaryCounts?.processed ?? 0;
  const pct = total > 0 ? Math.round((processed / total) * 100) : run.status === 'completed' ? 100 : 0;
  const text = total > 0 ? `${processed} of ${total} processed (${pct} %)` : run.status === 'completed' ? `${processed} processed` : 'Waiting for the first checkpoint';
  return h('div', { class: 'progress' },
    h('label', { for: 'run-progress' }, 'Progress'),
    // <progress> is announced natively; the text beside it says the same for everyone.
    h('progress', { id: 'run-progress', max: Math.max(total, 1), value: total > 0 ? processed : run.status === 'completed' ? 1 : 0, 'aria-describedby': 'run-progress-text' }),
    h('span', { id: 'run-progress-text', 'data-testid': 'progress-text' }, text),
  );
}

function facts(run: Run): HTMLElement {
  const rows: Array<[string, Node | string]> = [
    ['Status', statusText(run.status) + (run.cancelRequested && isActive(run) ? ' (cancel requested)' : '')],
    ['Outcome', outcomeText(run.outcome)],
    ['Initiator', initiatorText(run.initiator)],
    ['Surface', run.surface],
    ['Created', time(run.createdAt)],
    ['Started', time(run.startedAt)],
    ['Completed', time(run.completedAt)],
    ['Duration', duration(run.durationMs)],
    ['Queue wait', duration(run.queueWaitMs)],
    ['Attempt', String(run.attempt)],
    ['Run id', h('code', {}, run.id)],
    ['Expires', time(run.expiresAt)],
  ];
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]));
}

function countsTable(run: Run): HTMLElement {
  const keys = Object.keys(run.summaryCounts ?? {}).sort((a, b) => {
    const ia = COUNT_ORDER.indexOf(a), ib = COUNT_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  return h('table', { class: 'counts', 'data-testid': 'counts' },
    h('caption', {}, 'Counts'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Count'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', {}, keys.map((k) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, String(run.summaryCounts[k]))))),
  );
}

function failuresSection(run: Run): HTMLElement {
  const failures = run.failures ?? [];
  return h('section', { 'aria-labelledby': 'failures-heading' },
    h('h2', { id: 'failures-heading' }, `Failures (${run.failureCount})`),
    failures.length === 0
      ? h('p', {}, 'No failures.')
      : [
          run.failureCount > failures.length ? h('p', { class: 'hint' }, `Showing the first ${failures.length} of ${run.failureCount}.`) : null,
          h('table', { class: 'failures', 'data-testid': 'failures' },
            h('thead', {}, h('tr', {}, ['Code', 'Message', 'Item'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, failures.map((f) => h('tr', {}, h('td', {}, h('code', {}, f.code)), h('td', {}, f.message), h('td', {}, f.itemId ?? '—')))),
          ),
        ],
  );
}

function recordLinks(run: Run): HTMLElement | null {
  const links = RECORD_LINKS.filter((l) => typeof run.context?.[l.key] === 'string' || typeof run.input?.[l.key] === 'string').map((l) => {
    const id = String(run.context?.[l.key] ?? run.input?.[l.key]);
    return h('li', {}, h('a', linkAttrs(`/console/tenants/${encodeURIComponent(run.tenantId)}/${l.kind}/${encodeURIComponent(id)}`), `${l.label} ${id}`));
  });
  return links.length ? h('section', { 'aria-labelledby': 'records-heading' }, h('h2', { id: 'records-heading' }, 'Related records'), h('ul', {}, links)) : null;
}

export async function runDetailView(params: Record<string, string>): Promise<() => void> {
  const { tenantId, runId } = params;
  let stop: () => void = () => undefined;
  await loadMe();
  await renderHeader(tenantId);
  const main = page('Run');
  const back = h('p', {}, h('a', linkAttrs(`/console/tenants/${encodeURIComponent(tenantId)}/runs`), '← All runs'));
  const path = tenantPath(tenantId, 'runs', runId);

  let first;
  try {
    first = await request<Run>('GET', path);
  } catch (err) {
    const notFound = err instanceof ApiError && err.status === 404;
    mount(main, back, h('h1', {}, notFound ? 'Run not found' : 'Could not load the run'), notFound ? h('p', {}, 'It does not exist, has expired, or belongs to a tenant you are not a member of.') : problemAlert(err));
    return stop;
  }
  const role = roleIn(tenantId);
  const types = await loadOperationTypes();
  let run = first.body!;
  const minimumRole = types.find((t) => t.type === run.type)?.minimumRole ?? 'owner';
  const canCancel = role !== null && roleAtLeast(role, minimumRole);

  const heading = h('h1', {});
  const stateLine = h('p', { class: 'state-line', 'aria-live': 'polite', 'data-testid': 'detail-state' });
  const body = h('div');
  const actions = h('div', { class: 'actions' });
  const actionResult = h('div', { role: 'status' });

  const cancel = async (btn: HTMLButtonElement) => {
    btn.disabled = true;
    try {
      const answer = await request<{ run: Run }>('POST', `${path}/cancel`);
      draw(answer.body!.run);
      mount(actionResult, h('p', { class: 'notice' }, isActive(run) ? 'Cancel requested; the worker stops at its next checkpoint.' : 'Cancelled.'));
    } catch (err) {
      btn.disabled = false;
      mount(actionResult, problemAlert(err, err instanceof ApiError && err.status === 409 ? 'Cannot cancel' : 'Cancel failed'));
    }
  };

  const draw = (next: Run) => {
    run = next;
    document.title = `${run.label} — ${stateText(run)} · Operation Runs`;
    mount(heading, run.label, ' ', badge(run));
    mount(stateLine, stateSentence(run));
    mount(body,
      progress(run),
      facts(run),
      countsTable(run),
      failuresSection(run),
      recordLinks(run),
      run.input && Object.keys(run.input).length ? h('section', { 'aria-labelledby': 'input-heading' }, h('h2', { id: 'input-heading' }, 'Input'), h('pre', {}, JSON.stringify(run.input, null, 2))) : null,
    );
    if (canCancel && isActive(run) && !run.cancelRequested) {
      const btn = h('button', { type: 'button', class: 'danger', 'data-testid': 'cancel-button' }, 'Cancel run');
      btn.addEventListener('click', () => void cancel(btn));
      mount(actions, btn);
    } else {
      actions.replaceChildren();
    }
  };

  draw(run);
  mount(main, back, heading, stateLine, actions, actionResult, body);
  if (isActive(run)) {
    stop = pollWithEtag<Run>(path, {
      etag: first.etag,
      onChange: (next) => {
        const before = stateText(run);
        draw(next);
        if (stateText(next) !== before) announce(`${next.label}: ${stateText(next)}`);
      },
      done: (next) => !isActive(next),
    });
  }
  return () => stop();
}
