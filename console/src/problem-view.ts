/** Renders an API problem (detail and each `errors[]` entry) as an alert. */
import { ApiError } from './api.js';
import { h } from './dom.js';

export function problemAlert(err: unknown, prefix?: string): HTMLElement {
  const detail = err instanceof ApiError ? err.problem.detail ?? err.problem.title ?? `HTTP ${err.status}` : (err as Error)?.message ?? String(err);
  const errors = err instanceof ApiError ? err.problem.errors ?? [] : [];
  return h('div', { class: 'alert', role: 'alert', 'data-testid': 'problem' },
    h('p', {}, prefix ? `${prefix}: ` : '', detail),
    errors.length ? h('ul', {}, errors.map((e) => h('li', {}, e.path ? h('code', {}, e.path) : null, e.path ? ' — ' : '', e.message))) : null,
  );
}
