/**
 * Audit (issue 19, owner): the tenant's administrative actions, newest first, filtered by actor and
 * action (the API serves each filter from a key, never a scan), paged with "Load more".
 */
import { get, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { roleReason } from '../../start-button.js';
import type { Page } from '../../types.js';
import { AUDIT_ACTIONS } from '../../../../shared/store/audit-actions.js';
import { section, tenantPage } from './tenant-page.js';

interface AuditEntry {
  id: string; actor: { userId: string; name: string }; action: string; target: { type: string; id: string; label?: string };
  before?: Record<string, unknown>; after?: Record<string, unknown>; at: string;
}

const change = (e: AuditEntry) => {
  const parts = [e.before ? `before ${JSON.stringify(e.before)}` : '', e.after ? `after ${JSON.stringify(e.after)}` : ''].filter(Boolean);
  return parts.length ? h('code', {}, parts.join(' → ')) : '—';
};

export async function auditView(params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Audit');
  if (!p) return;
  const why = roleReason(p.role, 'owner', 'Reading the audit trail');
  if (why) { mount(p.main, h('h1', {}, `Audit — ${p.tenantName}`), h('p', { class: 'reason', 'data-testid': 'audit-reason' }, why)); return; }

  const actor = h('input', { id: 'audit-actor', type: 'text', value: query.get('actor') ?? '', autocomplete: 'off', placeholder: 'user id' });
  const action = h('select', { id: 'audit-action' }, h('option', { value: '' }, 'Any action'), AUDIT_ACTIONS.map((a) => h('option', { value: a, selected: query.get('action') === a }, a)));
  const filters = () => {
    const q = new URLSearchParams({ limit: '25' });
    if (actor.value.trim()) q.set('actor', actor.value.trim());
    if (action.value) q.set('action', action.value);
    return q;
  };
  const list = pagedList<AuditEntry>({
    fetchPage: (cursor) => {
      const q = filters();
      if (cursor) q.set('cursor', cursor);
      return get<Page<AuditEntry>>(`${tenantPath(p.tenantId, 'audit')}?${q}`);
    },
    head: ['When', 'Who', 'Action', 'Target', 'Change'],
    row: (e) => h('tr', { 'data-testid': 'audit-row', 'data-action': e.action, 'data-actor': e.actor.userId },
      h('td', {}, time(e.at)), h('td', {}, `${e.actor.name} (${e.actor.userId})`), h('th', { scope: 'row' }, e.action),
      h('td', {}, `${e.target.type} ${e.target.label ?? e.target.id}`), h('td', {}, change(e))),
    caption: 'Audit trail', empty: 'No audit entries match.', testId: 'audit', noun: ['entry', 'entries'],
  });
  const form = h('form', { 'aria-label': 'Filter the audit trail', class: 'row' },
    h('div', { class: 'field' }, h('label', { for: 'audit-actor' }, 'Actor'), actor),
    h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'Action'), action),
    h('button', { type: 'submit' }, 'Apply filters'));
  form.addEventListener('submit', (e) => { e.preventDefault(); void list.reload(); });
  mount(p.main, h('h1', {}, `Audit — ${p.tenantName}`), section('audit-filter-heading', 'Filters', form), section('audit-list-heading', 'Entries, newest first', list.element));
  await list.reload();
}
