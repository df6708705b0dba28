/**
 * One start surface: a button that POSTs /tenants/{t}/runs for one operation type with surface
 * "console" and answers with a "View run" link (202 queued, 200 already running). Below the type's
 * minimum role the button is disabled and the reason is shown as text beside it.
 */
import { ApiError, request, tenantPath } from './api.js';
import { h, mount } from './dom.js';
import { linkAttrs } from './router.js';
import { problemAlert } from './problem-view.js';
import { roleAtLeast, type OperationType, type Role, type Run } from './types.js';

export interface StartAnswer { run: Run; deduplicated: boolean; viewUrl: string }

export interface StartButtonOptions {
  tenantId: string;
  role: Role;
  types: OperationType[];
  type: string;
  label: string;
  /** the run's input; throw an Error to refuse with its message before anything is sent */
  input: () => Record<string, unknown>;
  /** a reason the surface cannot be used right now (null/undefined = usable) */
  unavailable?: () => string | null;
  onStarted?: (answer: StartAnswer) => void;
  testId?: string;
}

export const ROLE_TEXT: Record<Role, string> = { readonly: 'read-only', operator: 'operator', manager: 'manager', owner: 'owner' };

/** The sentence shown beside a control the caller's role does not allow. */
export function roleReason(role: Role, minimum: Role, what: string): string | null {
  return roleAtLeast(role, minimum) ? null : `${what} needs the ${ROLE_TEXT[minimum]} role or higher; you are ${ROLE_TEXT[role]} in this tenant.`;
}

export function startButton(o: StartButtonOptions): { element: HTMLElement; button: HTMLButtonElement; refresh: () => void } {
  const minimum = o.types.find((t) => t.type === o.type)?.minimumRole ?? 'owner';
  const testId = o.testId ?? `start-${o.type.replace(/\W/g, '-')}`;
  const reasonId = `${testId}-reason`;
  const button = h('button', { type: 'button', class: 'start', 'data-testid': testId }, o.label);
  const reason = h('p', { class: 'hint reason', id: reasonId, 'data-testid': `${testId}-reason` });
  const result = h('div', { role: 'status', 'aria-live': 'polite', class: 'start-result', 'data-testid': `${testId}-result` });
  const refresh = () => {
    const why = roleReason(o.role, minimum, o.label) ?? o.unavailable?.() ?? null;
    button.disabled = why !== null;
    if (why) { button.setAttribute('aria-describedby', reasonId); reason.textContent = why; reason.hidden = false; }
    else { button.removeAttribute('aria-describedby'); reason.textContent = ''; reason.hidden = true; }
  };
  button.addEventListener('click', async () => {
    let input: Record<string, unknown>;
    try { input = o.input(); } catch (err) { mount(result, problemAlert(err, 'Could not start')); return; }
    button.disabled = true;
    result.replaceChildren();
    try {
      const answer = await request<StartAnswer>('POST', tenantPath(o.tenantId, 'runs'), { body: { type: o.type, input, surface: 'console' } });
      const body = answer.body!;
      mount(result, h('p', { class: body.deduplicated ? 'notice' : 'success', 'data-testid': 'start-outcome' },
        body.deduplicated ? 'Already running — ' : 'Queued — ',
        h('a', linkAttrs(body.viewUrl), 'View run'),
      ));
      o.onStarted?.(body);
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : null;
      const link = p && typeof p.viewUrl === 'string' ? h('p', {}, h('a', linkAttrs(p.viewUrl), 'View run')) : null;
      mount(result, problemAlert(err, 'Could not start'), link);
    } finally {
      refresh();
    }
  });
  refresh();
  return { element: h('div', { class: 'start-surface' }, button, reason, result), button, refresh };
}
