/**
 * Tenants (issue 19, platform admins): every tenant with its Graph connection and the last
 * connection check's result per category (GET /tenants), and a form that creates a tenant
 * (POST /tenants) — the creator becomes its owner and its connection check starts at once. The
 * credential typed here goes to the API only; the page never shows it again. A user who is not a
 * platform admin sees the API's 403 in words.
 */
import { ApiError, get, post } from '../api.js';
import { h, mount } from '../dom.js';
import { time } from '../format.js';
import { pagedList } from '../paged.js';
import { problemAlert } from '../problem-view.js';
import { linkAttrs } from '../router.js';
import { page, renderHeader } from '../shell.js';
import { clearState } from '../state.js';
import type { Page, Run } from '../types.js';
import { section, statusBadge, words } from './pages/tenant-page.js';

interface CheckSummary { runId: string; status: string; completedAt: string | null; usedPendingCredential: boolean; categories: Record<string, string> }
interface Tenant {
  tenantId: string; name: string;
  graph: { cloud: string | null; directoryTenantId: string | null; clientId: string | null; credential: { type?: string; thumbprintSha256?: string } | null };
  pendingCredential: { since: string } | null;
  lastConnectionCheck: CheckSummary | null;
  createdAt: string | null;
}
interface Created { tenant: Tenant; connectionCheck: { run: Run; viewUrl: string } }

const CLOUDS: Array<[string, string]> = [['global', 'Global (graph.microsoft.com)'], ['usGovL4', 'US Government L4'], ['usGovL5', 'US Government L5 (DoD)'], ['china', 'China (21Vianet)']];
const CHECK_BADGE: Record<string, string> = { readable: 'succeeded', missing_permission: 'failed', unavailable: 'partially_succeeded', not_checked: 'pending' };
const CHECK_WORDS: Record<string, string> = { readable: 'Readable', missing_permission: 'Missing permission', unavailable: 'Unavailable', not_checked: 'Not checked' };

function checkCell(t: Tenant): HTMLElement {
  const c = t.lastConnectionCheck;
  if (!c) return h('td', {}, 'No check yet');
  const entries = Object.entries(c.categories);
  return h('td', {},
    h('a', linkAttrs(`/console/tenants/${encodeURIComponent(t.tenantId)}/runs/${encodeURIComponent(c.runId)}`), statusBadge(c.status, words(c.status), 'check-status')),
    c.completedAt ? [' ', time(c.completedAt)] : null,
    entries.length
      ? h('ul', { class: 'category-checks', 'data-testid': 'category-checks' }, entries.map(([category, result]) =>
        h('li', { 'data-category': category, 'data-result': result }, `${category}: `, statusBadge(CHECK_BADGE[result] ?? 'pending', CHECK_WORDS[result] ?? result, 'category-result'))))
      : null,
  );
}

function field(id: string, label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null);
}

export async function tenantsView(): Promise<void> {
  await renderHeader(null);
  const main = page('Tenants');
  const list = pagedList<Tenant>({
    fetchPage: (cursor) => get<Page<Tenant>>(`/tenants${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Tenant', 'Graph connection', 'Credential', 'Last connection check'],
    row: (t) => h('tr', { 'data-testid': 'tenant-row', 'data-tenant-id': t.tenantId },
      h('th', { scope: 'row' }, h('a', linkAttrs(`/console/tenants/${encodeURIComponent(t.tenantId)}/runs`), t.name), ' ', h('code', {}, t.tenantId)),
      h('td', {}, t.graph.cloud ? `${t.graph.cloud} · directory ${t.graph.directoryTenantId} · app ${t.graph.clientId}` : t.graph.clientId ? `app ${t.graph.clientId}` : 'Not connected'),
      h('td', {}, t.graph.credential?.type ? words(t.graph.credential.type) : '—', t.pendingCredential ? [' · ', h('span', { 'data-testid': 'pending-credential' }, 'rotation being checked')] : null),
      checkCell(t)),
    caption: 'Tenants by id', empty: 'No tenants yet.', testId: 'tenants', noun: ['tenant', 'tenants'],
  });

  const input = (id: string, attrs: Record<string, unknown> = {}) => h('input', { id, type: 'text', required: true, autocomplete: 'off', ...attrs });
  const tenantId = input('new-tenant-id', { pattern: '[a-z0-9]([a-z0-9-]*[a-z0-9])?', 'aria-describedby': 'new-tenant-id-hint' });
  const name = input('new-tenant-name');
  const cloud = h('select', { id: 'new-tenant-cloud' }, CLOUDS.map(([v, label]) => h('option', { value: v }, label)));
  const directory = input('new-tenant-directory', { 'aria-describedby': 'new-tenant-directory-hint' });
  const clientId = input('new-tenant-client-id', { 'aria-describedby': 'new-tenant-client-id-hint' });
  const credType = h('select', { id: 'new-tenant-credential-type' }, h('option', { value: 'secret' }, 'Client secret'), h('option', { value: 'certificate' }, 'Certificate'));
  const secret = h('input', { id: 'new-tenant-secret', type: 'password', autocomplete: 'new-password', required: true });
  const certificate = h('textarea', { id: 'new-tenant-certificate', rows: 4, placeholder: '-----BEGIN CERTIFICATE-----' });
  const privateKey = h('textarea', { id: 'new-tenant-private-key', rows: 4, placeholder: '-----BEGIN PRIVATE KEY-----' });
  const secretFields = field('new-tenant-secret', 'Client secret', secret);
  const certFields = h('div', { hidden: true }, field('new-tenant-certificate', 'Certificate (PEM)', certificate), field('new-tenant-private-key', 'Private key (PEM, unencrypted)', privateKey));
  credType.addEventListener('change', () => {
    const cert = credType.value === 'certificate';
    secretFields.hidden = cert;
    secret.required = !cert;
    certFields.hidden = !cert;
  });
  const out = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'create-tenant-result' });
  const form = h('form', { class: 'stack', 'aria-label': 'Create a tenant' },
    field('new-tenant-id', 'Tenant id', tenantId, 'A slug: lower-case letters, digits and hyphens, e.g. tailspin.'),
    field('new-tenant-name', 'Name', name),
    field('new-tenant-cloud', 'Cloud', cloud),
    field('new-tenant-directory', 'Directory (tenant) id', directory, 'The Entra ID directory: its GUID or a domain such as tailspin.onmicrosoft.com.'),
    field('new-tenant-client-id', 'Application (client) id', clientId, 'The app registration that has the Intune read permissions and admin consent.'),
    field('new-tenant-credential-type', 'Credential', credType),
    secretFields, certFields,
    h('button', { type: 'submit' }, 'Create tenant'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const credential = credType.value === 'certificate'
      ? { type: 'certificate', certificatePem: certificate.value, privateKeyPem: privateKey.value }
      : { type: 'secret', secret: secret.value };
    try {
      const answer = await post<Created>('/tenants', { tenantId: tenantId.value.trim(), name: name.value, graph: { cloud: cloud.value, directoryTenantId: directory.value.trim(), clientId: clientId.value.trim(), credential } });
      const created = answer.body!;
      // The credential leaves the page as soon as it was sent.
      secret.value = ''; privateKey.value = ''; certificate.value = '';
      form.reset();
      clearState(); // the creator is now the tenant's owner: the tenant switcher reloads GET /me
      await renderHeader(null);
      mount(out, h('p', { class: 'success' }, 'Created ', h('a', linkAttrs(`/console/tenants/${encodeURIComponent(created.tenant.tenantId)}/runs`), created.tenant.name),
        '. Its connection check is queued — ', h('a', { ...linkAttrs(created.connectionCheck.viewUrl), 'data-testid': 'check-run-link' }, 'View run'), '.'));
      await list.reload();
    } catch (err) {
      secret.value = '';
      mount(out, problemAlert(err, 'Could not create'));
    }
  });

  mount(main, h('h1', {}, 'Tenants'));
  try {
    await get<Page<Tenant>>('/tenants?limit=1');
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      mount(main, h('h1', {}, 'Tenants'), h('p', { 'data-testid': 'not-platform-admin' }, 'Only platform admins create and list tenants. They are named when the product is deployed.'));
      return;
    }
    throw err;
  }
  mount(main,
    h('h1', {}, 'Tenants'),
    section('tenants-list-heading', 'Tenants', h('p', {}, h('button', { type: 'button', 'data-testid': 'refresh-tenants', onclick: () => void list.reload() }, 'Refresh')), list.element),
    section('create-tenant-heading', 'Create a tenant', h('p', {}, 'Creating a tenant makes you its owner and checks its Graph connection: a token, the organization, and one page of each policy category.'), form, out),
  );
  await list.reload();
}
