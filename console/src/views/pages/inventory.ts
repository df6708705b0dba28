/** Inventory: what the last syncs found in Graph (GET inventory, DB only), and "Sync now" (inventory.sync). */
import { get, tenantPath } from '../../api.js';
import { h, mount } from '../../dom.js';
import { time } from '../../format.js';
import { pagedList } from '../../paged.js';
import { startButton } from '../../start-button.js';
import type { Page } from '../../types.js';
import { section, statusBadge, tenantPage } from './tenant-page.js';

interface InventoryItem { category: string; objectId: string; displayName: string; odataType: string | null; deleted: boolean; lastSeenAt: string }

export async function inventoryView(params: Record<string, string>, query: URLSearchParams): Promise<void> {
  const p = await tenantPage(params.tenantId, 'Inventory');
  if (!p) return;
  const categories = ['deviceConfigurations', 'deviceCompliancePolicies', 'configurationPolicies', 'groupPolicyConfigurations', 'managedAppPolicies', 'deviceEnrollmentConfigurations'];
  const initial = query.get('category') ?? '';
  const listFor = (category: string) => pagedList<InventoryItem>({
    fetchPage: (cursor) => get<Page<InventoryItem>>(`${tenantPath(p.tenantId, 'inventory')}?${new URLSearchParams({ ...(category ? { category } : {}), ...(cursor ? { cursor } : {}) })}`),
    head: ['Name', 'Category', 'Type', 'State', 'Last seen'],
    row: (i) => h('tr', { 'data-testid': 'inventory-row' },
      h('th', { scope: 'row' }, i.displayName), h('td', {}, i.category), h('td', {}, i.odataType ?? '—'),
      h('td', {}, i.deleted ? statusBadge('cancelled', 'Deleted') : statusBadge('succeeded', 'Present')), h('td', {}, time(i.lastSeenAt))),
    caption: 'Inventory items', empty: 'No inventory yet. Press "Sync now" to read it from Microsoft Graph.', testId: 'inventory', noun: ['item', 'items'],
  });
  let list = listFor(initial);
  const listHost = h('div', {}, list.element);
  const filter = h('select', { id: 'inventory-category', name: 'category' }, h('option', { value: '' }, 'All categories'), categories.map((c) => h('option', { value: c, selected: c === initial }, c)));
  filter.addEventListener('change', () => {
    const url = new URL(location.href);
    if (filter.value) url.searchParams.set('category', filter.value); else url.searchParams.delete('category');
    history.replaceState(null, '', url);
    list = listFor(filter.value);
    mount(listHost, list.element);
    void list.reload();
  });
  const sync = startButton({ tenantId: p.tenantId, role: p.role, types: p.types, type: 'inventory.sync', label: 'Sync now', input: () => ({}), testId: 'sync-inventory' });
  mount(p.main,
    h('h1', {}, `Inventory — ${p.tenantName}`),
    section('inventory-sync-heading', 'Sync', h('p', { class: 'hint' }, 'Reads every policy category from Microsoft Graph into the inventory.'), sync.element),
    section('inventory-list-heading', 'Items',
      h('div', { class: 'field' }, h('label', { for: 'inventory-category' }, 'Category'), filter),
      listHost),
  );
  await list.reload();
}
