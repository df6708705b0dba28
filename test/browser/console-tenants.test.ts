/**
 * Issue 19, the Tenants page, in Debian's Chromium against the real local runtime in-process: alice
 * (a platform admin) creates a tenant with a client secret; the page links its connection check's
 * run, the check succeeds against the simulated Graph, and the list shows it with every category
 * readable — then a tenant whose app lacks a permission shows that category as missing. A user who
 * is not a platform admin is told so. The secret never comes back to the page.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import type { LocalRuntime } from '../../infra/local/runtime.js';
import type { GraphSim } from '../../infra/local/graph-sim.js';
import { runInBrowser, SCREENSHOTS, signInAs, useConsoleHarness } from '../support/browser.js';

describe.skipIf(!runInBrowser)('console: Tenants (browser)', () => {
  let runtime: LocalRuntime;
  let sim: GraphSim;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  const harness = useConsoleHarness('tenants', (h) => { ({ runtime, context, sim } = h); });

  const signIn = (userId: string) => signInAs(harness(), userId, pageErrors);

  /** Fills and sends the create form; the simulated directory accepts exactly this app id + secret. */
  async function createThroughForm(page: Page, tenantId: string, name: string, secret: string, clientId = randomUUID()) {
    sim.acceptCredential(tenantId, clientId, secret);
    await page.getByLabel('Tenant id').fill(tenantId);
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Cloud').selectOption('global');
    await page.getByLabel('Directory (tenant) id').fill(randomUUID());
    await page.getByLabel('Application (client) id').fill(clientId);
    await page.getByLabel('Client secret').fill(secret);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const link = page.getByTestId('create-tenant-result').getByTestId('check-run-link');
    await link.waitFor();
    expect(await page.getByTestId('create-tenant-result').textContent()).toContain(`Created ${name}`);
    return link.getAttribute('href');
  }

  /** Refreshes the list until the tenant's last check has finished; answers its row. */
  async function finishedRow(page: Page, tenantId: string) {
    const row = page.locator(`[data-testid="tenant-row"][data-tenant-id="${tenantId}"]`);
    await expect.poll(async () => {
      await page.getByTestId('refresh-tenants').click();
      await page.getByTestId('tenants-status').waitFor();
      return (await row.getByTestId('check-status').textContent().catch(() => null)) ?? '';
    }, { timeout: 60_000, interval: 300 }).toMatch(/^(Succeeded|Partially succeeded|Failed)$/);
    return row;
  }

  it('alice creates a tenant; its connection check succeeds and every category shows readable', async () => {
    const page = await signIn('alice');
    await page.getByTestId('tenants-link').click();
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.locator('[data-testid="tenant-row"][data-tenant-id="contoso"]').waitFor();
    const secret = `Console~${randomUUID()}`;
    const tenantId = `northwind-${Date.now().toString(36)}`;
    const href = await createThroughForm(page, tenantId, 'Northwind Traders', secret);
    expect(href).toMatch(new RegExp(`^/console/tenants/${tenantId}/runs/[0-9A-Z]{26}$`));
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');
    const row = await finishedRow(page, tenantId);
    expect(await row.getByTestId('check-status').textContent()).toBe('Succeeded');
    const results = await row.getByTestId('category-result').allTextContents();
    expect(results).toEqual(Array(7).fill('Readable'));
    expect(await row.locator('li[data-category="configurationPolicies"]').getAttribute('data-result')).toBe('readable');
    // The creator is the new tenant's owner: the tenant switcher offers it.
    await expect.poll(async () => page.locator('#tenant-switcher option').allTextContents()).toContain('Northwind Traders (owner)');
    expect(await page.content()).not.toContain(secret);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-tenants.png'), fullPage: true });
    // The check's run opens from the list.
    await row.getByRole('link', { name: 'Succeeded' }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: 'Check Graph connection' }).waitFor();
    await page.close();
  });

  it('a category the app may not read shows "Missing permission"; a bad body shows the API\'s problem', async () => {
    const page = await signIn('alice');
    await page.goto(`${runtime.url}/console/tenants`);
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    await page.getByTestId('tenants-status').waitFor();
    sim.setFaults({ unavailable: [{ category: 'deviceEnrollmentConfigurations', status: 403 }] });
    try {
      const tenantId = `fourth-${Date.now().toString(36)}`;
      await createThroughForm(page, tenantId, 'Fourth Coffee', `Console~${randomUUID()}`);
      const row = await finishedRow(page, tenantId);
      expect(await row.getByTestId('check-status').textContent()).toBe('Partially succeeded');
      expect(await row.locator('li[data-category="deviceEnrollmentConfigurations"]').getAttribute('data-result')).toBe('missing_permission');
      expect(await row.locator('li[data-category="deviceConfigurations"]').getAttribute('data-result')).toBe('readable');
    } finally {
      sim.setFaults({});
    }
    // An id that exists: the API's 409 in words.
    await page.getByLabel('Tenant id').fill('contoso');
    await page.getByLabel('Name', { exact: true }).fill('Duplicate');
    await page.getByLabel('Directory (tenant) id').fill(randomUUID());
    await page.getByLabel('Application (client) id').fill(randomUUID());
    await page.getByLabel('Client secret').fill(`Console~${randomUUID()}`);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await expect.poll(() => page.getByTestId('create-tenant-result').getByTestId('problem').textContent()).toContain('contoso');
    await page.close();
  });

  it('a user who is not a platform admin is told that only platform admins manage tenants', async () => {
    const page = await signIn('bob');
    await page.getByTestId('tenants-link').click();
    await page.getByTestId('not-platform-admin').waitFor();
    expect(await page.getByRole('button', { name: 'Create tenant' }).count()).toBe(0);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
