/** The console's entry: load config, set up the frame and the routes, render the current address. */
import { loadConfig, getConfig } from './config.js';
import { ApiError, setUnauthorizedHandler } from './api.js';
import { createShell, page, renderHeader, signOut } from './shell.js';
import { navigate, render, route, startRouter } from './router.js';
import { getSession } from './session.js';
import { loadMe } from './state.js';
import { h, mount } from './dom.js';
import { loginView } from './views/login.js';
import { runsListView } from './views/runs-list.js';
import { runDetailView } from './views/run-detail.js';
import { recordView } from './views/record.js';
import { fleetView } from './views/fleet.js';
import { tenantsView } from './views/tenants.js';
import { inventoryView } from './views/pages/inventory.js';
import { policiesView, policyDetailView } from './views/pages/policies.js';
import { groupsView } from './views/pages/groups.js';
import { driftView } from './views/pages/drift.js';
import { backupSetDetailView, backupSetsView } from './views/pages/backup-sets.js';
import { scheduleDetailView, schedulesView } from './views/pages/schedules.js';
import { restoreDetailView, restoresView } from './views/pages/restores.js';
import { membersView } from './views/pages/members.js';
import { auditView } from './views/pages/audit.js';
import { completeOidcSignIn } from './oidc.js';
import { problemAlert } from './problem-view.js';
import type { View } from './router.js';

/** Views other than sign-in need a session; without one, go to sign-in. */
const signedIn = (view: View): View => async (params, query) => {
  if (!getSession()) { navigate('/console/login', { replace: true }); return; }
  try {
    return await view(params, query);
  } catch (err) {
    // A 401 already signed out and went to sign-in; anything else is shown where the view would be.
    if (err instanceof ApiError && err.status === 401) return;
    mount(page('Error'), h('h1', {}, 'Something went wrong'), problemAlert(err));
  }
};

async function home(): Promise<void> {
  const me = await loadMe();
  const first = me.memberships[0];
  if (first) { navigate(`/console/tenants/${encodeURIComponent(first.tenantId)}/runs`, { replace: true }); return; }
  await renderHeader(null);
  mount(page('No tenants'), h('h1', {}, 'No tenants'), h('p', {}, 'You are not a member of any tenant yet.'));
}

async function callback(_p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const auth = getConfig().auth;
  try {
    if (auth.mode !== 'oidc') throw new Error('OIDC sign-in is not configured.');
    await completeOidcSignIn(auth, query);
    navigate('/console', { replace: true });
  } catch (err) {
    mount(page('Sign-in failed'), h('h1', {}, 'Sign-in failed'), problemAlert(err));
  }
}

async function main() {
  await loadConfig();
  createShell(document.getElementById('app')!);
  setUnauthorizedHandler(() => signOut());
  route('/console/login', loginView);
  route('/console/callback', callback);
  route('/console', signedIn(home));
  route('/console/fleet', signedIn(fleetView));
  route('/console/tenants', signedIn(tenantsView));
  route('/console/tenants/:tenantId/runs', signedIn(runsListView));
  route('/console/tenants/:tenantId/runs/:runId', signedIn(runDetailView));
  route('/console/tenants/:tenantId/inventory', signedIn(inventoryView));
  route('/console/tenants/:tenantId/policies', signedIn(policiesView));
  route('/console/tenants/:tenantId/policies/:policyId', signedIn(policyDetailView));
  route('/console/tenants/:tenantId/groups', signedIn(groupsView));
  route('/console/tenants/:tenantId/drift', signedIn(driftView));
  route('/console/tenants/:tenantId/backup-sets', signedIn(backupSetsView));
  route('/console/tenants/:tenantId/backup-sets/:backupSetId', signedIn(backupSetDetailView));
  route('/console/tenants/:tenantId/backup-schedules', signedIn(schedulesView));
  route('/console/tenants/:tenantId/backup-schedules/:scheduleId', signedIn(scheduleDetailView));
  route('/console/tenants/:tenantId/restores', signedIn(restoresView));
  route('/console/tenants/:tenantId/restores/:restoreId', signedIn(restoreDetailView));
  route('/console/tenants/:tenantId/members', signedIn(membersView));
  route('/console/tenants/:tenantId/audit', signedIn(auditView));
  route('/console/tenants/:tenantId/:kind/:id', signedIn(recordView));
  route('.*', () => { mount(page('Not found'), h('h1', {}, 'Page not found')); });
  startRouter();
  await render();
}

void main();
