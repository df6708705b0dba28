/**
 * The frame around every view: the product name, the tenant switcher (from GET /me), the
 * notifications bell and sign-out. Views render into `main`.
 */
import { h, mount } from './dom.js';
import { navigate, linkAttrs } from './router.js';
import { getSession, setSession } from './session.js';
import { clearState, loadMe } from './state.js';
import { setAnnouncer } from './announce.js';
import { NotificationsBell } from './notifications.js';

let mainEl: HTMLElement;
let headerEl: HTMLElement;
let tenantNavEl: HTMLElement;
let bell: NotificationsBell | null = null;
let currentTenant: string | null = null;

export function createShell(root: HTMLElement): void {
  headerEl = h('header', { class: 'topbar' });
  mainEl = h('main', { id: 'main', tabindex: '-1' });
  tenantNavEl = h('nav', { class: 'tenant-nav', 'aria-label': 'Console pages', hidden: true });
  const live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'data-testid': 'announcer' });
  setAnnouncer(live);
  mount(root, h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'), headerEl, tenantNavEl, mainEl, live);
}

/** Gives a view the main area, with the page title set and focus moved there for screen readers. */
export function page(title: string): HTMLElement {
  document.title = `${title} · Operation Runs`;
  markCurrentPage();
  mainEl.replaceChildren();
  return mainEl;
}

export function focusMain(): void { mainEl.focus({ preventScroll: true }); }

export function signOut(): void {
  bell?.stop();
  bell = null;
  setSession(null);
  clearState();
  currentTenant = null;
  renderHeader();
  navigate('/console/login', { replace: true });
}

/** Redraws the header; called by each view with the tenant it shows (null: none). */
export async function renderHeader(tenantId: string | null = currentTenant): Promise<void> {
  currentTenant = tenantId;
  const session = getSession();
  const brand = h('a', { class: 'brand', ...linkAttrs('/console') }, 'Operation Runs');
  renderTenantNav(session ? tenantId : null);
  if (!session) {
    mount(headerEl, brand);
    return;
  }
  const me = await loadMe();
  const switcher = h('select', { id: 'tenant-switcher', 'aria-label': 'Tenant' },
    tenantId ? null : h('option', { value: '' }, 'Choose a tenant…'),
    me.memberships.map((m) => h('option', { value: m.tenantId, selected: m.tenantId === tenantId }, `${m.tenantName} (${m.role})`)),
  );
  switcher.addEventListener('change', () => { if (switcher.value) navigate(`/console/tenants/${encodeURIComponent(switcher.value)}/runs`); });
  bell ??= new NotificationsBell();
  mount(headerEl,
    brand,
    h('nav', { 'aria-label': 'Account' },
      h('a', { ...linkAttrs('/console/fleet'), 'data-testid': 'fleet-link', ...(location.pathname === '/console/fleet' ? { 'aria-current': 'page' } : {}) }, 'All my tenants'),
      // Platform admins (issue 19); anyone else is told so on the page.
      h('a', { ...linkAttrs('/console/tenants'), 'data-testid': 'tenants-link', ...(location.pathname === '/console/tenants' ? { 'aria-current': 'page' } : {}) }, 'Tenants'),
      h('label', { class: 'tenant-label', for: 'tenant-switcher' }, 'Tenant'), switcher,
      bell.element,
      h('span', { class: 'who', 'data-testid': 'signed-in-user' }, me.user.name),
      h('button', { type: 'button', onclick: () => signOut() }, 'Sign out'),
    ),
  );
  bell.start();
}

/** The pages of one tenant, in the order an admin works through them. */
export const TENANT_PAGES: Array<[string, string]> = [
  ['runs', 'Runs'], ['inventory', 'Inventory'], ['policies', 'Policies'], ['groups', 'Groups'], ['drift', 'Drift'],
  ['backup-sets', 'Backup sets'], ['backup-schedules', 'Backup schedules'], ['restores', 'Restores'],
  ['members', 'Members'], ['audit', 'Audit'],
];

function renderTenantNav(tenantId: string | null): void {
  if (!tenantId) { tenantNavEl.hidden = true; tenantNavEl.replaceChildren(); return; }
  const base = `/console/tenants/${encodeURIComponent(tenantId)}`;
  mount(tenantNavEl, h('ul', {}, TENANT_PAGES.map(([slug, label]) => h('li', {}, h('a', { ...linkAttrs(`${base}/${slug}`), 'data-page': slug }, label)))));
  tenantNavEl.hidden = false;
  markCurrentPage();
}

function markCurrentPage(): void {
  const slug = /^\/console\/tenants\/[^/]+\/([^/]+)/.exec(location.pathname)?.[1];
  for (const a of Array.from(tenantNavEl?.querySelectorAll('a[data-page]') ?? [])) {
    if (a.getAttribute('data-page') === slug) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}
