/**
 * Sign-in. Locally: pick a seeded user (POST /dev/login). With an OIDC issuer configured: the
 * authorization-code + PKCE redirect (oidc.ts). Either way the token stays out of the URL.
 */
import { ApiError, request } from '../api.js';
import { getConfig } from '../config.js';
import { h, mount } from '../dom.js';
import { navigate } from '../router.js';
import { setSession, type Session } from '../session.js';
import { page, renderHeader, focusMain } from '../shell.js';
import { problemAlert } from '../problem-view.js';
import { beginOidcSignIn } from '../oidc.js';

/** The local seed's users (SPEC §10); another id can be typed in. */
const DEMO_USERS = [
  { id: 'alice', label: 'Alice Admin — contoso owner' },
  { id: 'bob', label: 'Bob Operator — fabrikam operator' },
  { id: 'carol', label: 'Carol Reader — contoso readonly' },
  { id: 'dave', label: 'Dave Ops — contoso operator, fabrikam manager' },
];

export async function loginView(): Promise<void> {
  await renderHeader(null);
  const main = page('Sign in');
  const config = getConfig();
  if (config.auth.mode === 'oidc') {
    const auth = config.auth;
    const btn = h('button', { type: 'button' }, 'Sign in');
    const out = h('div');
    btn.addEventListener('click', () => beginOidcSignIn(auth).catch((err) => mount(out, problemAlert(err, 'Sign-in failed'))));
    mount(main, h('h1', {}, 'Sign in'), h('p', {}, `You will be sent to ${new URL(auth.issuer).host} to sign in.`), btn, out);
    return;
  }
  const select = h('select', { id: 'login-user', name: 'userId' }, DEMO_USERS.map((u) => h('option', { value: u.id }, u.label)));
  const out = h('div');
  const form = h('form', { class: 'card', 'aria-labelledby': 'login-heading' },
    h('h1', { id: 'login-heading' }, 'Sign in'),
    h('p', {}, 'Local development sign-in: choose one of the demo users.'),
    h('label', { for: 'login-user' }, 'User'), select,
    h('button', { type: 'submit' }, 'Sign in'),
    out,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const answer = await request<Session>('POST', '/dev/login', { body: { userId: select.value }, auth: false });
      setSession(answer.body!);
      navigate('/console', { replace: true });
    } catch (err) {
      mount(out, problemAlert(err, err instanceof ApiError && err.status === 404 ? 'Unknown user' : 'Sign-in failed'));
    }
  });
  // An invited person (issue 19): a new user id with the email the invitation was sent to.
  const newId = h('input', { id: 'login-new-id', type: 'text', required: true, autocomplete: 'off' });
  const newEmail = h('input', { id: 'login-new-email', type: 'email', required: true, autocomplete: 'off' });
  const newName = h('input', { id: 'login-new-name', type: 'text', autocomplete: 'off' });
  const newOut = h('div');
  const invited = h('form', { class: 'card', 'aria-labelledby': 'login-invited-heading' },
    h('h2', { id: 'login-invited-heading' }, 'Invited? Join with your email'),
    h('p', {}, 'A new user id with the email an owner invited; the first sign-in joins the invitation\'s tenant.'),
    h('label', { for: 'login-new-id' }, 'New user id'), newId,
    h('label', { for: 'login-new-email' }, 'Email'), newEmail,
    h('label', { for: 'login-new-name' }, 'Display name (optional)'), newName,
    h('button', { type: 'submit' }, 'Join with this email'),
    newOut,
  );
  invited.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const body = { userId: newId.value.trim(), email: newEmail.value.trim(), ...(newName.value.trim() ? { name: newName.value.trim() } : {}) };
      const answer = await request<Session>('POST', '/dev/login', { body, auth: false });
      setSession(answer.body!);
      navigate('/console', { replace: true });
    } catch (err) {
      mount(newOut, problemAlert(err, 'Could not join'));
    }
  });
  mount(main, form, invited);
  focusMain();
}
