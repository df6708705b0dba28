/**
 * The monitoring console in a real browser (Debian's Chromium driven by playwright-core) against the
 * real local runtime in-process: real handlers, DynamoDB Local, fauxqs, the worker, the notifier and
 * the simulated Graph. Skips only when Chromium is absent outside CI; in CI a missing Chromium fails.
 */
import { operationTypeList } from '../../shared/operations/catalog.js';
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { type LocalRuntime } from '../../infra/local/runtime.js';
import type { GraphSim } from '../../infra/local/graph-sim.js';
import { apiAs, runInBrowser, SCREENSHOTS, useConsoleHarness, watchCsp, signInAs } from '../support/browser.js';


describe.skipIf(!runInBrowser)('monitoring console (browser)', () => {
  let runtime: LocalRuntime;
  let sim: GraphSim;
  let context: BrowserContext;
  const cspViolations: string[] = [];

  const harness = useConsoleHarness('console', (h) => { ({ runtime, context, sim } = h); });

  /** A fresh tab per user: sessionStorage (where the token lives) is per tab. */
  const signIn = (userId: string) =>
    signInAs(harness(), userId, [], watchCsp(cspViolations));

  async function apiStart(userId: string, tenantId: string, type: string, input: Record<string, unknown> = {}) {
    const res = await apiAs<{ run: { id: string } }>(runtime, userId, 'POST', `/tenants/${tenantId}/runs`, { type, input });
    expect([200, 202]).toContain(res.status);
    return res.body.run;
  }

  async function apiGet<T>(userId: string, p: string): Promise<T> {
    return (await apiAs<T>(runtime, userId, 'GET', p)).body;
  }

  async function waitForCompletion(userId: string, tenantId: string, runId: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const run = await apiGet<{ status: string }>(userId, `/tenants/${tenantId}/runs/${runId}`);
      if (run.status === 'completed') return run;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`run ${runId} did not complete`);
  }

  const rowStates = (page: Page) => page.locator('[data-testid=run-row] [data-testid=run-state]').allTextContents();

  it('alice starts an inventory sync, sees it queued and deduplicated, follows it to Succeeded live, and reads its notification', async () => {
    const page = await signIn('alice');
    expect(page.url()).toBe(`${runtime.url}/console/tenants/contoso/runs`);
    // The token lives in sessionStorage, never in the address.
    const stored = await page.evaluate(() => sessionStorage.getItem('operation-runs.session'));
    expect(JSON.parse(stored!).user.id).toBe('alice');
    expect(page.url()).not.toContain(JSON.parse(stored!).token);

    // Slow Graph down so the run is still active for the second start and visibly moves on the page.
    sim.setLatency(300);
    await page.getByLabel('Operation', { exact: true }).selectOption('inventory.sync');
    await page.getByRole('button', { name: 'Start Inventory sync' }).click();
    const outcome = page.getByTestId('start-outcome');
    await expect.poll(() => outcome.textContent()).toBe('Queued — view run');
    const viewUrl = await outcome.getByRole('link', { name: 'view run' }).getAttribute('href');
    expect(viewUrl).toMatch(/^\/console\/tenants\/contoso\/runs\/[0-9A-Z]{26}$/);
    const runId = viewUrl!.split('/').pop()!;

    // The list shows it (reloaded in place after the start).
    const row = page.locator(`[data-testid=run-row][data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.locator('th').textContent()).toBe('Inventory sync');
    expect(await row.textContent()).toContain('Alice Admin (alice)');
    expect(await row.textContent()).toContain('console');

    // A second start of the same thing while it is active answers with the same run.
    await page.getByRole('button', { name: 'Start Inventory sync' }).click();
    await expect.poll(() => outcome.textContent()).toBe('Already running — view run');
    expect(await outcome.getByRole('link').getAttribute('href')).toBe(viewUrl);

    // Detail page: reaches Succeeded on its own (no reload: the marker set below survives).
    await outcome.getByRole('link', { name: 'view run' }).click();
    await page.waitForURL(`${runtime.url}${viewUrl}`);
    await page.getByRole('heading', { name: /Inventory sync/ }).waitFor();
    await page.evaluate(() => { (window as unknown as { marker: number }).marker = 42; });
    // Live updates are conditional GETs of the run: each carries the ETag it last saw.
    const conditional: string[] = [];
    page.on('request', (r) => { const tag = r.headers()['if-none-match']; if (r.url().endsWith(`/tenants/contoso/runs/${runId}`) && tag) conditional.push(tag); });
    const state = page.getByRole('heading', { level: 1 }).getByTestId('run-state');
    expect(['Queued', 'Running']).toContain(await state.textContent());
    sim.setLatency(5);
    await expect.poll(() => state.textContent(), { timeout: 60_000, interval: 250 }).toBe('Succeeded');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(conditional.length).toBeGreaterThan(0);
    expect(conditional[0]).toMatch(/^(W\/)?".+"$/);
    expect(await page.getByTestId('detail-state').textContent()).toBe('Inventory sync succeeded.');
    const progress = await page.getByTestId('progress-text').textContent();
    // An inventory sync's total is not known at start: "n processed", no percentage (issue 17, item 2).
    expect(progress).toMatch(/^\d+ processed$/);
    const counts = page.getByTestId('counts');
    expect(await counts.locator('tbody tr th').allTextContents()).toEqual(expect.arrayContaining(['total', 'processed', 'succeeded', 'failed', 'skipped']));
    expect(await page.locator('dd[data-field="Surface"]').textContent()).toBe('console');
    expect(await page.locator('dd[data-field="Duration"]').textContent()).not.toBe('—');
    expect(await page.getByRole('heading', { name: 'Failures (0)' }).count()).toBe(1);
    expect(await page.getByTestId('cancel-button').count()).toBe(0); // completed: nothing to cancel
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-run-detail.png'), fullPage: true });

    // Notifications: queued + completed for alice; the completed one names the outcome.
    const unread = page.getByTestId('unread-count');
    await expect.poll(() => unread.textContent(), { timeout: 20_000, interval: 250 }).toBe('2');
    await page.getByTestId('bell').click();
    const completed = page.getByTestId('notification').filter({ hasText: 'Inventory sync succeeded' });
    await completed.waitFor();
    expect(await completed.getAttribute('data-run-id')).toBe(runId);
    expect(await completed.getByRole('link', { name: 'View run' }).getAttribute('href')).toBe(viewUrl);
    await completed.getByRole('button', { name: 'Mark as read' }).click();
    await expect.poll(() => unread.textContent()).toBe('1');
    await expect.poll(() => completed.getByRole('button', { name: 'Mark as read' }).count()).toBe(0);
    const stillUnread = await apiGet<{ items: Array<{ runId: string; kind: string }> }>('alice', '/me/notifications?unread=true');
    expect(stillUnread.items.map((n) => n.kind)).toEqual(['run.queued']);

    // Back to the list: the row shows the final state; screenshot it with the panel closed.
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: '← All runs' }).click();
    await page.locator(`[data-testid=run-row][data-run-id="${runId}"] [data-testid=run-state]`).filter({ hasText: 'Succeeded' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'console-runs-list.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('filters narrow the list by type, initiator, status, outcome and date range', async () => {
    const dg = await apiStart('dave', 'contoso', 'directory_groups.sync');
    const ps = await apiStart('alice', 'contoso', 'policy.sync');
    await waitForCompletion('alice', 'contoso', dg.id);
    await waitForCompletion('alice', 'contoso', ps.id);
    const page = await signIn('alice');
    await expect.poll(async () => (await page.locator('[data-testid=run-row]').count())).toBeGreaterThanOrEqual(3);
    const all = await page.locator('[data-testid=run-row]').count();

    await page.getByLabel('Type', { exact: true }).selectOption('directory_groups.sync');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\?type=directory_groups.sync$/);
    await expect.poll(() => page.locator('[data-testid=run-row] th').allTextContents()).toEqual(['Directory groups sync']);

    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(all);
    await page.getByLabel('Initiator', { exact: true }).fill('dave');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator(`[data-testid=run-row]`).count()).toBe(1);
    expect(await page.locator('[data-testid=run-row]').getAttribute('data-run-id')).toBe(dg.id);

    await page.getByLabel('Initiator', { exact: true }).fill('alice');
    await page.getByLabel('Type', { exact: true }).selectOption('policy.sync');
    await page.getByLabel('Status', { exact: true }).selectOption('completed');
    await page.getByLabel('Outcome', { exact: true }).selectOption('succeeded');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(1);
    expect(await page.locator('[data-testid=run-row]').getAttribute('data-run-id')).toBe(ps.id);

    // A date range that starts tomorrow matches nothing; one around today matches everything.
    await page.getByRole('link', { name: 'Clear' }).click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(all);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toLocaleDateString('en-CA');
    await page.getByLabel('From', { exact: true }).fill(day(1));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('list-status').textContent()).toBe('No runs match these filters.');
    await page.getByLabel('From', { exact: true }).fill(day(-1));
    await page.getByLabel('To', { exact: true }).fill(day(1));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(all);
    await page.close();
  }, 120_000);

  it('pages with "Load more" when there are more runs than one page', async () => {
    // 26 distinct policy.sync runs (distinct ids → distinct active run keys) overflow the 25-row page.
    for (let i = 0; i < 26; i++) await apiStart('alice', 'contoso', 'policy.sync', { policyIds: [`00000000-0000-4000-a000-${String(i).padStart(12, '0')}`] });
    const page = await signIn('alice');
    await page.getByLabel('Type', { exact: true }).selectOption('policy.sync');
    await page.getByLabel('Initiator', { exact: true }).fill('alice');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(25);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBeGreaterThanOrEqual(27);
    await expect.poll(() => more.isHidden()).toBe(true);
    // Newest first across both pages.
    const ids = await page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')!));
    expect(ids).toEqual([...ids].sort().reverse());
    await page.close();
  }, 120_000);

  it('alice can cancel an active run from its page; carol (readonly) sees runs but no start or cancel controls', async () => {
    // Slow Graph (all categories, ~12 list calls) keeps the run active for tens of seconds.
    sim.setLatency(2000);
    try {
      const run = await apiStart('alice', 'contoso', 'inventory.sync');
      const carol = await signIn('carol');
      expect(await carol.getByTestId('start-button').count()).toBe(0);
      expect(await carol.getByRole('heading', { name: 'Start an operation' }).count()).toBe(0);
      await carol.locator(`[data-testid=run-row][data-run-id="${run.id}"]`).waitFor();
      await carol.goto(`${runtime.url}/console/tenants/contoso/runs/${run.id}`);
      const carolState = carol.getByRole('heading', { level: 1 }).getByTestId('run-state');
      expect(['Queued', 'Running']).toContain(await carolState.textContent());
      expect(await carol.getByTestId('cancel-button').count()).toBe(0);

      const alice = await signIn('alice');
      await alice.goto(`${runtime.url}/console/tenants/contoso/runs/${run.id}`);
      await alice.getByTestId('cancel-button').click();
      const aliceState = alice.getByRole('heading', { level: 1 }).getByTestId('run-state');
      await expect.poll(() => aliceState.textContent(), { timeout: 60_000, interval: 250 }).toBe('Cancelled');
      // carol's page follows along by itself.
      await expect.poll(() => carolState.textContent(), { timeout: 10_000, interval: 250 }).toBe('Cancelled');
      await carol.close();
      await alice.close();
    } finally {
      sim.setLatency(5);
    }
  }, 120_000);

  it('offers each role only the operation types it may start: an operator gets no Restore, an owner does', async () => {
    const dave = await signIn('dave');
    await dave.getByLabel('Tenant').selectOption('contoso');
    await dave.getByRole('heading', { name: 'Runs — Contoso Ltd' }).waitFor();
    const daveTypes = await dave.getByLabel('Operation', { exact: true }).locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    expect(daveTypes).toContain('inventory.sync');
    expect(daveTypes).not.toContain('restore.execute');
    // In fabrikam dave is a manager: Restore is offered there.
    await dave.getByLabel('Tenant').selectOption('fabrikam');
    await dave.getByRole('heading', { name: 'Runs — Fabrikam Inc' }).waitFor();
    expect(await dave.getByLabel('Operation', { exact: true }).locator('option[value="restore.execute"]').count()).toBe(1);
    await dave.close();

    const alice = await signIn('alice');
    const aliceTypes = await alice.getByLabel('Operation', { exact: true }).locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value));
    // An owner is offered every operation type the API lists (nine since graph.connection_check).
    expect(aliceTypes.sort()).toEqual(operationTypeList().map((t) => t.type).sort());
    // The restore form is generated from its schema: text, string list, key=value mapping, boolean.
    await alice.getByLabel('Operation', { exact: true }).selectOption('restore.execute');
    expect(await alice.getByLabel('Backup set id').count()).toBe(1);
    expect(await alice.getByLabel('Item ids (optional)').evaluate((e) => e.tagName)).toBe('TEXTAREA');
    expect(await alice.getByLabel('Group mapping (optional)').evaluate((e) => e.tagName)).toBe('TEXTAREA');
    expect(await alice.getByLabel('Dry run').getAttribute('type')).toBe('checkbox');
    await alice.getByLabel('Operation', { exact: true }).selectOption('inventory.sync');
    expect(await alice.getByRole('group', { name: 'Categories (optional)' }).getByRole('checkbox').count()).toBe(6);
    await alice.close();
  }, 60_000);

  it("shows the API's problem detail and field errors when a start is refused", async () => {
    const page = await signIn('alice');
    await page.getByLabel('Operation', { exact: true }).selectOption('policy.sync');
    await page.getByLabel('Policy ids (optional)').fill('3f2504e0-4f89-41d3-9a0c-0305e82c3301, not an id!');
    await page.getByRole('button', { name: 'Start Policy sync' }).click();
    const problem = page.getByTestId('start-result').getByTestId('problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('Could not start: The request body is not valid.');
    expect(await problem.locator('li').first().textContent()).toContain('input.policyIds.1');

    await page.getByLabel('Operation', { exact: true }).selectOption('backup_schedule.run_now');
    await page.getByLabel('Schedule id').fill('no-such-schedule');
    await page.getByRole('button', { name: 'Start Backup schedule run' }).click();
    await expect.poll(() => page.getByTestId('start-result').textContent()).toMatch(/^Could not start: .*schedule/i);
    await page.close();
  }, 60_000);

  it('bob sees only fabrikam: no contoso tenant, runs or notifications', async () => {
    const contosoRun = await apiStart('alice', 'contoso', 'directory_groups.sync');
    const bob = await signIn('bob');
    expect(bob.url()).toBe(`${runtime.url}/console/tenants/fabrikam/runs`);
    const tenants = await bob.getByLabel('Tenant').locator('option').allTextContents();
    expect(tenants).toEqual(['Fabrikam Inc (operator)']);
    expect(await bob.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id')))).not.toContain(contosoRun.id);

    await bob.goto(`${runtime.url}/console/tenants/contoso/runs`);
    await bob.getByRole('heading', { name: 'Tenant not found' }).waitFor();
    expect(await bob.locator('[data-testid=run-row]').count()).toBe(0);

    await bob.goto(`${runtime.url}/console/tenants/contoso/runs/${contosoRun.id}`);
    await bob.getByRole('heading', { name: 'Run not found' }).waitFor();
    expect(await bob.content()).not.toContain('Directory groups sync');

    await bob.getByTestId('bell').click();
    await bob.getByRole('heading', { name: 'Notifications' }).waitFor();
    expect(await bob.getByTestId('notification').count()).toBe(0);

    // Sign out forgets the token.
    await bob.getByRole('button', { name: 'Sign out' }).click();
    await bob.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await bob.evaluate(() => sessionStorage.getItem('operation-runs.session'))).toBeNull();
    await bob.close();
  }, 60_000);

  it('is served as a single-page app under /console with a strict Content-Security-Policy', async () => {
    const deep = await fetch(`${runtime.url}/console/tenants/contoso/runs/01ABC`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = deep.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await deep.text()).toContain('/console/assets/app.js');

    const js = await fetch(`${runtime.url}/console/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await fetch(`${runtime.url}/console/assets/app.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${runtime.url}/console/assets/missing.js`)).status).toBe(404);

    const root = await fetch(`${runtime.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console');
    // API routes are untouched by the fallback.
    expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
    // Nothing the console did in the browser tests tripped the policy.
    expect(cspViolations).toEqual([]);
  });
});

describe('console as a static site', () => {
  it('writes index.html, assets and config.json whose CSP and config point at the API and the OIDC issuer', async () => {
    const { writeConsole } = await import('../../console/serve.js');
    const { readFile } = await import('node:fs/promises');
    const dir = await mkdtemp(path.join(tmpdir(), 'console-static-'));
    try {
      const files = await writeConsole(dir, { apiUrl: 'https://api.example.test/', oidc: { issuer: 'https://login.example.test/tenant/v2.0', clientId: 'console-app' } });
      expect(files.map((f) => path.relative(dir, f)).sort()).toEqual(['console/assets/app.css', 'console/assets/app.js', 'console/config.json', 'console/index.html']);
      const html = await readFile(path.join(dir, 'console/index.html'), 'utf8');
      expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*connect-src 'self' https:\/\/api\.example\.test https:\/\/login\.example\.test;/);
      expect(html).not.toContain('<!--CSP-META-->');
      const config = JSON.parse(await readFile(path.join(dir, 'console/config.json'), 'utf8'));
      expect(config).toEqual({ apiBase: 'https://api.example.test', auth: { mode: 'oidc', issuer: 'https://login.example.test/tenant/v2.0', clientId: 'console-app' } });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
