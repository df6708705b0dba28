/**
 * "All my tenants" (issue 17 item 4): GET /me/fleet — the active and failed runs of the last 24 h
 * across every tenant the user belongs to, newest first with tenant names, and per tenant an
 * overnight summary of completed runs (succeeded / partial / failed / cancelled, by type). DB only
 * and bounded on the server; a cap that cut something off is said on the page.
 */
import { get } from '../api.js';
import { h, mount } from '../dom.js';
import { linkAttrs } from '../router.js';
import { page, renderHeader } from '../shell.js';
import { loadMe } from '../state.js';
import { badge, initiatorText, time } from '../format.js';
import { problemAlert } from '../problem-view.js';
import type { Run } from '../types.js';

interface OutcomeCounts { succeeded: number; partially_succeeded: number; failed: number; cancelled: number }
interface FleetTenant { tenantId: string; name: string; role: string; summary: { byType: Record<string, OutcomeCounts>; totals: OutcomeCounts }; truncated: boolean }
interface Fleet { since: string; tenants: FleetTenant[]; runs: Array<Run & { tenantName: string }>; truncated: boolean }

const tenantBase = (tenantId: string) => `/console/tenants/${encodeURIComponent(tenantId)}`;
const countsText = (c: OutcomeCounts) => `${c.succeeded} succeeded · ${c.partially_succeeded} partial · ${c.failed} failed${c.cancelled ? ` · ${c.cancelled} cancelled` : ''}`;

function runsTable(fleet: Fleet): HTMLElement {
  if (fleet.runs.length === 0) return h('p', { 'data-testid': 'fleet-runs-empty' }, 'No active or failed runs in any of your tenants in the last 24 hours.');
  return h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'fleet-runs' },
    h('caption', { class: 'visually-hidden' }, 'Active and failed runs across your tenants, newest first'),
    h('thead', {}, h('tr', {}, ['Tenant', 'Operation', 'State', 'Initiator', 'Created', 'Failures'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, fleet.runs.map((r) => h('tr', { 'data-testid': 'fleet-run', 'data-run-id': r.id, 'data-tenant-id': r.tenantId },
      h('td', {}, h('a', linkAttrs(`${tenantBase(r.tenantId)}/runs`), r.tenantName)),
      h('th', { scope: 'row' }, h('a', linkAttrs(`${tenantBase(r.tenantId)}/runs/${encodeURIComponent(r.id)}`), r.label)),
      h('td', {}, badge(r)),
      h('td', {}, initiatorText(r.initiator)),
      h('td', {}, time(r.createdAt)),
      h('td', {}, String(r.failureCount ?? 0)),
    ))),
  ));
}

function summaries(fleet: Fleet): HTMLElement {
  return h('div', { class: 'fleet-tenants', 'data-testid': 'fleet-tenants' }, fleet.tenants.map((t) => {
    const types = Object.entries(t.summary.byType).sort(([a], [b]) => a.localeCompare(b));
    return h('article', { class: 'card', 'data-testid': 'fleet-tenant', 'data-tenant-id': t.tenantId, 'aria-labelledby': `fleet-t-${t.tenantId}` },
      h('h3', { id: `fleet-t-${t.tenantId}` }, h('a', linkAttrs(`${tenantBase(t.tenantId)}/runs`), t.name), ' ', h('span', { class: 'hint' }, `(${t.role})`)),
      h('p', { 'data-testid': 'fleet-totals' }, countsText(t.summary.totals)),
      types.length === 0
        ? h('p', { class: 'hint' }, 'No completed runs in the window.')
        : h('table', { class: 'counts' },
            h('caption', { class: 'visually-hidden' }, `Completed runs of ${t.name} by type`),
            h('thead', {}, h('tr', {}, ['Type', 'Succeeded', 'Partial', 'Failed', 'Cancelled'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, types.map(([type, c]) => h('tr', {}, h('th', { scope: 'row' }, type),
              h('td', {}, String(c.succeeded)), h('td', {}, String(c.partially_succeeded)), h('td', {}, String(c.failed)), h('td', {}, String(c.cancelled)))))),
      t.truncated ? h('p', { class: 'hint', 'data-testid': 'fleet-tenant-truncated' }, 'This tenant was busy: only its most recent runs of the window were read.') : null,
    );
  }));
}

export async function fleetView(): Promise<void> {
  await loadMe();
  await renderHeader(null);
  const main = page('All my tenants');
  let fleet: Fleet;
  try {
    fleet = await get<Fleet>('/me/fleet');
  } catch (err) {
    mount(main, h('h1', {}, 'All my tenants'), problemAlert(err, 'Could not load your tenants'));
    return;
  }
  mount(main,
    h('h1', {}, 'All my tenants'),
    h('p', { class: 'hint' }, 'Runs created since ', time(fleet.since), ` across your ${fleet.tenants.length} tenant${fleet.tenants.length === 1 ? '' : 's'}.`),
    fleet.truncated ? h('p', { class: 'notice', 'data-testid': 'fleet-truncated' }, 'Not everything fits on one page: the newest runs and the first 50 tenants are shown.') : null,
    h('section', { 'aria-labelledby': 'fleet-runs-heading' }, h('h2', { id: 'fleet-runs-heading' }, 'Active and failed runs'), runsTable(fleet)),
    h('section', { 'aria-labelledby': 'fleet-summary-heading' }, h('h2', { id: 'fleet-summary-heading' }, 'Overnight summary per tenant'), summaries(fleet)),
  );
}
