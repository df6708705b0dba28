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
import { isActive, roleAtLeast, type Page, type Run } from '../types.js';

/** context keys that point at a domain record, and the console path that shows it */
const RECORD_LINKS: Array<{ key: string; kind: string; label: string }> = [
  { key: 'backupSetId', kind: 'backup-sets', label: 'Backup set' },
  { key: 'restoreId', kind: 'restores', label: 'Restore' },
  { key: 'scheduleId', kind: 'backup-schedules', label: 'Backup schedule' },
  { key: 'baselineBackupSetId', kind: 'backup-sets', label: 'Baseline backup set' },
  { key: 'retryOfRunId', kind: 'runs', label: 'Retry of run' },
];

const COUNT_ORDER = ['total', 'processed', 'succeeded', 'failed', 'skipped'];

/**
 * Progress against a total known when the run started (run.context.expectedTotal: a backup set's
 * policies, a restore's items). Without one, summaryCounts.total grows chunk by chunk and a bar
 * would read ~100 % at once, so the run shows "n processed" and no percentage.
 */
function progress(run: Run): HTMLElement {
  const expected = typeof run.context?.expectedTotal === 'number' && run.context.expectedTotal > 0 ? run.context.expectedTotal : null;
  const processed = run.summaryCounts?.processed ?? 0;
  const done = run.status === 'completed';
  let text: string;
  let bar: HTMLElement;
  if (expected !== null) {
    const value = Math.min(processed, expected);
    const pct = Math.round((value / expected) * 100);
    text = `${processed} of ${expected} processed (${pct} %)`;
    bar = h('progress', { id: 'run-progress', max: expected, value, 'aria-describedby': 'run-progress-text' });
  } else {
    text = done ? `${processed} processed` : processed > 0 ? `${processed} processed so far (total not known in advance)` : 'Waiting for the first checkpoint';
    // No value: an indeterminate bar while running, a full one when done.
    bar = done
      ? h('progress', { id: 'run-progress', max: 1, value: 1, 'aria-describedby': 'run-progress-text' })
      : h('progress', { id: 'run-progress', 'aria-describedby': 'run-progress-text' });
  }
  return h('div', { class: 'progress' },
    h('label', { for: 'run-progress' }, 'Progress'),
    // <progress> is announced natively; the text beside it says the same for everyone.
    bar,
    h('span', { id: 'run-progress-text', 'data-testid': 'progress-text' }, text),
  );
}

interface TimelineEntry {
  seq: number; at: string; kind: string; attempt: number;
  counts?: { total: number; processed: number; succeeded: number; failed: number; skipped: number };
  outcome?: string; code?: string;
}

const KIND_TEXT: Record<string, string> = {
  queued: 'Queued', started: 'Started', checkpoint: 'Checkpoint', cancel_requested: 'Cancel requested',
  continuation: 'Paused for a continuation', takeover: 'Taken over', completed: 'Completed',
};

function timelineText(e: TimelineEntry): string {
  const parts: string[] = [];
  if (e.kind === 'started' || e.kind === 'takeover') parts.push(`attempt ${e.attempt}`);
  if (e.kind === 'completed' && e.outcome) parts.push(outcomeText(e.outcome as Run['outcome']));
  if (e.code) parts.push(e.code);
  if (e.counts) {
    const c = e.counts;
    parts.push(`${c.processed} processed: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped`);
  }
  return parts.join(' · ');
}

/** The run's transitions, oldest first (GET …/timeline, DB only), with "Load more" while paged. */
function timelineSection(path: string): { element: HTMLElement; reload: () => Promise<void> } {
  const list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
  const status = h('p', { class: 'list-status', 'data-testid': 'timeline-status' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  let cursor: string | null = null;
  const load = async (append: boolean) => {
    try {
      const q = new URLSearchParams({ limit: '50' });
      if (append && cursor) q.set('cursor', cursor);
      const answer = await request<Page<TimelineEntry>>('GET', `${path}/timeline?${q}`);
      if (!append) list.replaceChildren();
      for (const e of answer.body!.items) {
        list.append(h('li', { 'data-kind': e.kind, 'data-testid': 'timeline-entry' },
          h('time', { datetime: e.at }, time(e.at)), ' ',
          h('strong', {}, KIND_TEXT[e.kind] ?? e.kind),
          timelineText(e) ? [' — ', timelineText(e)] : null));
      }
      cursor = answer.body!.nextCursor;
      more.hidden = !cursor;
      status.textContent = list.children.length === 0 && !cursor ? 'No transitions recorded for this run.' : '';
    } catch (err) {
      mount(status, problemAlert(err, 'Could not load the timeline'));
    }
  };
  more.addEventListener('click', () => void load(true));
  const element = h('section', { 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, 'Timeline'), status, list, more);
  return { element, reload: () => load(false) };
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

  const timeline = timelineSection(path);
  draw(run);
  mount(main, back, heading, stateLine, actions, actionResult, body, timeline.element);
  await timeline.reload();
  if (isActive(run)) {
    stop = pollWithEtag<Run>(path, {
      etag: first.etag,
      onChange: (next) => {
        const before = stateText(run);
        draw(next);
        void timeline.reload();
        if (stateText(next) !== before) announce(`${next.label}: ${stateText(next)}`);
      },
      done: (next) => !isActive(next),
    });
  }
  return () => stop();
}
