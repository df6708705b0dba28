/**
 * Members (issue 19, owner): the tenant's members with their roles (change a role, remove someone),
 * pending invitations (revoke) and an invite form. A role change takes effect on the member's next
 * request. Below owner the page says why instead of asking the API (it would answer 403).
 */
import { del, get, post, request, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { problemAlert } from '../../problem-view.js';
import { ROLE_TEXT, roleReason } from '../../start-button.js';
import { ROLES, type Page, type Role } from '../../types.js';
import { section, tenantPage } from './tenant-page.js';

interface Member { userId: string; name: string; role: Role; addedAt: string }
interface Invitation { id: string; email: string; role: Role; expiresAt: string; createdAt: string; invitedBy: { userId: string; name: string } }

const roleSelect = (id: string, value: Role, label: string) =>
  h('select', { id, 'aria-label': label }, ROLES.map((r) => h('option', { value: r, selected: r === value }, ROLE_TEXT[r])));

/** A button that asks once ("Confirm …") before it acts: no modal dialog. */
function twoStep(label: string, confirm: string, testId: string, act: () => Promise<void>): HTMLButtonElement {
  const btn = h('button', { type: 'button', class: 'danger', 'data-testid': testId }, label);
  let armed = false;
  btn.addEventListener('click', async () => {
    if (!armed) { armed = true; btn.textContent = confirm; return; }
    btn.disabled = true;
    try { await act(); } finally { btn.disabled = false; armed = false; btn.textContent = label; }
  });
  return btn;
}

export async function membersView(params: Record<string, string>): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Members');
  if (!p) return;
  const why = roleReason(p.role, 'owner', 'Managing members');
  if (why) { mount(p.main, h('h1', {}, `Members — ${p.tenantName}`), h('p', { class: 'reason', 'data-testid': 'members-reason' }, why)); return; }

  const out = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'members-result' });
  const say = (text: string) => mount(out, h('p', { class: 'success' }, text));
  const fail = (err: unknown, what: string) => mount(out, problemAlert(err, what));

  const members = pagedList<Member>({
    fetchPage: (cursor) => get<Page<Member>>(`${tenantPath(p.tenantId, 'members')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Member', 'User id', 'Role', 'Added', 'Remove'],
    row: (m) => {
      const select = roleSelect(`role-${m.userId}`, m.role, `Role of ${m.name}`);
      select.addEventListener('change', async () => {
        try {
          await request('PUT', tenantPath(p.tenantId, 'members', m.userId), { body: { role: select.value } });
          say(`${m.name} is now ${ROLE_TEXT[select.value as Role]}.`);
        } catch (err) { select.value = m.role; fail(err, 'Could not change the role'); }
      });
      const remove = twoStep('Remove', 'Confirm remove', `remove-${m.userId}`, async () => {
        try { await del(tenantPath(p.tenantId, 'members', m.userId)); say(`${m.name} was removed.`); await members.reload(); } catch (err) { fail(err, 'Could not remove'); }
      });
      return h('tr', { 'data-testid': 'member-row', 'data-user-id': m.userId },
        h('th', { scope: 'row' }, m.name), h('td', {}, h('code', {}, m.userId)), h('td', {}, select), h('td', {}, time(m.addedAt)), h('td', {}, remove));
    },
    caption: 'Members', empty: 'No members.', testId: 'members', noun: ['member', 'members'],
  });

  const invitations = pagedList<Invitation>({
    fetchPage: (cursor) => get<Page<Invitation>>(`${tenantPath(p.tenantId, 'invitations')}${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
    head: ['Email', 'Role', 'Invited by', 'Expires', 'Revoke'],
    row: (i) => h('tr', { 'data-testid': 'invitation-row', 'data-invitation-id': i.id },
      h('th', { scope: 'row' }, i.email), h('td', {}, ROLE_TEXT[i.role]), h('td', {}, i.invitedBy.name), h('td', {}, time(i.expiresAt)),
      h('td', {}, twoStep('Revoke', 'Confirm revoke', `revoke-${i.id}`, async () => {
        try { await del(tenantPath(p.tenantId, 'invitations', i.id)); say(`The invitation of ${i.email} was revoked.`); await invitations.reload(); } catch (err) { fail(err, 'Could not revoke'); }
      }))),
    caption: 'Pending invitations', empty: 'No pending invitations.', testId: 'invitations', noun: ['invitation', 'invitations'],
  });

  const email = h('input', { id: 'invite-email', type: 'email', required: true, autocomplete: 'off' });
  const role = roleSelect('invite-role', 'readonly', 'Role');
  const submit = h('button', { type: 'submit' }, 'Send invitation');
  const form = h('form', { 'aria-label': 'Invite someone' },
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'invite-email' }, 'Email'), email),
      h('div', { class: 'field' }, h('label', { for: 'invite-role' }, 'Role'), role)),
    h('p', { class: 'hint' }, 'The first sign-in with this email joins the tenant with this role. Invitations expire after 14 days.'),
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const inv = (await post<Invitation>(tenantPath(p.tenantId, 'invitations'), { email: email.value.trim(), role: role.value })).body!;
      say(`Invited ${inv.email} as ${ROLE_TEXT[inv.role]}.`);
      email.value = '';
      await invitations.reload();
    } catch (err) { fail(err, 'Could not invite'); } finally { submit.disabled = false; }
  });

  mount(p.main,
    h('h1', {}, `Members — ${p.tenantName}`),
    out,
    section('members-list-heading', 'Members', members.element),
    section('invite-heading', 'Invite someone', form),
    section('invitations-heading', 'Pending invitations', invitations.element),
  );
  await Promise.all([members.reload(), invitations.reload()]);
}
