/** What every tenant page starts with: the header for the tenant, the caller's role, the catalog. */
import { h, mount } from '../../dom.js';
import { page, renderHeader } from '../../shell.js';
import { loadMe, loadOperationTypes, roleIn } from '../../state.js';
import type { OperationType, Role } from '../../types.js';

export interface TenantPage { main: HTMLElement; tenantId: string; tenantName: string; role: Role; types: OperationType[]; base: string }

export async function tenantPage(tenantId: string, title: string): Promise<TenantPage | null> {
  const me = await loadMe();
  await renderHeader(tenantId);
  const role = roleIn(tenantId);
  const main = page(title);
  if (!role) {
    // Not a member: the API would answer 404, so do not even ask.
    mount(main, h('h1', {}, 'Tenant not found'), h('p', {}, 'You are not a member of this tenant, or it does not exist.'));
    return null;
  }
  const types = await loadOperationTypes();
  const tenantName = me.memberships.find((m) => m.tenantId === tenantId)!.tenantName;
  return { main, tenantId, tenantName, role, types, base: `/console/tenants/${encodeURIComponent(tenantId)}` };
}

export const section = (id: string, title: string, ...children: Array<Node | string | null | false | Array<Node | null>>) =>
  h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);

/** A status word with a colour as a second cue (never colour alone). */
export const statusBadge = (key: string, text: string, testId = 'status') => h('span', { class: `badge badge-${key}`, 'data-testid': testId }, text);

export const words = (s: string) => s.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
