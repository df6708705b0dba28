/**
 * "Start an operation": a form per operation type the caller may start in this tenant (types whose
 * minimum role is above the caller's are not offered), POST /tenants/{t}/runs with surface "console".
 */
import { ApiError, request, tenantPath } from '../api.js';
import { h, mount } from '../dom.js';
import { linkAttrs } from '../router.js';
import { problemAlert } from '../problem-view.js';
import { fieldsFor } from '../schema-form.js';
import { roleAtLeast, type OperationType, type Role, type Run } from '../types.js';

export interface StartAnswer { run: Run; deduplicated: boolean; viewUrl: string }

export function startPanel(tenantId: string, role: Role, types: OperationType[], onStarted: (a: StartAnswer) => void): HTMLElement | null {
  const allowed = types.filter((t) => roleAtLeast(role, t.minimumRole));
  if (allowed.length === 0) return null;

  const select = h('select', { id: 'start-type', name: 'type' }, allowed.map((t) => h('option', { value: t.type }, t.label)));
  const fieldsHost = h('div');
  const result = h('div', { role: 'status', 'aria-live': 'polite', 'data-testid': 'start-result' });
  const submit = h('button', { type: 'submit', 'data-testid': 'start-button' }, 'Start');
  let fields = fieldsFor(allowed[0].inputSchema, 'start');

  const showFields = () => {
    const t = allowed.find((x) => x.type === select.value)!;
    fields = fieldsFor(t.inputSchema, `start-${t.type.replace(/\W/g, '-')}`);
    mount(fieldsHost, fields.element);
    mount(submit, `Start ${t.label}`);
  };
  select.addEventListener('change', showFields);
  showFields();

  const form = h('form', { class: 'card start', 'aria-labelledby': 'start-heading', novalidate: true },
    h('h2', { id: 'start-heading' }, 'Start an operation'),
    h('div', { class: 'field' }, h('label', { for: 'start-type' }, 'Operation'), select),
    fieldsHost,
    submit,
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    result.replaceChildren();
    try {
      const answer = await request<StartAnswer>('POST', tenantPath(tenantId, 'runs'), {
        body: { type: select.value, input: fields.read(), surface: 'console' },
      });
      const body = answer.body!;
      mount(result, h('p', { class: body.deduplicated ? 'notice' : 'success', 'data-testid': 'start-outcome' },
        body.deduplicated ? 'Already running — ' : 'Queued — ',
        h('a', linkAttrs(body.viewUrl), 'view run'),
      ));
      onStarted(body);
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : null;
      // A 503 still recorded a run (marked failed): link it so the user can see what happened.
      const link = p && typeof p.viewUrl === 'string' ? h('p', {}, h('a', linkAttrs(p.viewUrl), 'view run')) : null;
      mount(result, problemAlert(err, 'Could not start'), link);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
