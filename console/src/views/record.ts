/** A domain record a run points to (backup set, restore, schedule), shown as the API returns it. */
import { ApiError, get, tenantPath } from '../api.js';
import { h, mount } from '../dom.js';
import { linkAttrs } from '../router.js';
import { page, renderHeader } from '../shell.js';
import { problemAlert } from '../problem-view.js';

const KINDS: Record<string, string> = { 'backup-sets': 'Backup set', restores: 'Restore', 'backup-schedules': 'Backup schedule' };

export async function recordView(params: Record<string, string>): Promise<void> {
  const { tenantId, kind, id } = params;
  await renderHeader(tenantId);
  const title = KINDS[kind] ?? 'Record';
  const main = page(title);
  const back = h('p', {}, h('a', linkAttrs(`/console/tenants/${encodeURIComponent(tenantId)}/runs`), '← All runs'));
  if (!KINDS[kind]) { mount(main, back, h('h1', {}, 'Not found')); return; }
  try {
    const record = await get<unknown>(tenantPath(tenantId, kind, id));
    mount(main, back, h('h1', {}, `${title} ${id}`), h('pre', { 'data-testid': 'record-json' }, JSON.stringify(record, null, 2)));
  } catch (err) {
    mount(main, back, h('h1', {}, `${title} ${id}`), err instanceof ApiError && err.status === 404 ? h('p', {}, 'Not found.') : problemAlert(err));
  }
}
