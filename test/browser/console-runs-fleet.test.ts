/**
 * Issue 17 items 2, 3, 4 in Chromium against the real local runtime in-process: the run detail's
 * timeline and progress (against a total known at start, else "n processed" without a percentage),
 * the surface filter and a filter combination that needs the server-side fill, and the Fleet page
 * ("All my tenants"). Screenshots land in test-results/.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { type LocalRuntime } from '../../infra/local/runtime.js';
import { apiAs, runInBrowser, SCREENSHOTS, signInAs, useConsoleHarness } from '../support/browser.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { toRunItem } from '../../shared/store/run-store.js';
import { emptyCounts, type Run, type RunOutcome, type RunStatus, type Surface } from '../../shared/runs/model.js';


describe.skipIf(!runInBrowser)('console: run timeline, lists that never lie, fleet (browser)', () => {
  let runtime: LocalRuntime;
  let context: BrowserContext;
  const pageErrors: string[] = [];

  const harness = useConsoleHarness('runsfleet', (h) => { ({ runtime, context } = h); });

  const signIn = (userId: string) => signInAs(harness(), userId, pageErrors);
  async function api<T>(userId: string, method: string, p: string, body?: unknown): Promise<T> {
    const res = await apiAs<T>(runtime, userId, method, p, body);
    expect(res.status, `${method} ${p}`).toBeLessThan(300);
    return res.body;
  }

  async function waitForCompletion(tenantId: string, runId: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const run = await api<{ status: string; outcome: string }>('alice', 'GET', `/tenants/${tenantId}/runs/${runId}`);
      if (run.status === 'completed') return run;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`run ${runId} did not complete`);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });

  /** A run record written straight to the table (seeding lists without running workers). */
  function seeded(tenantId: string, type: string, surface: Surface, status: RunStatus, outcome: RunOutcome, createdMs: number): Run {
    const done = status === 'completed';
    return {
      id: ulid(createdMs), tenantId, type, label: type === 'drift.generate' ? 'Generate drift' : type, status, outcome, input: {},
      identityHash: `seed-${Math.random().toString(36).slice(2)}`, initiator: { userId: 'dave', name: 'Dave Ops' }, surface,
      summaryCounts: emptyCounts(), failures: outcome === 'failed' ? [{ code: 'graph_error', message: 'Graph answered 500' }] : [], failureCount: outcome === 'failed' ? 1 : 0,
      context: {}, attempt: status === 'queued' ? 0 : 1, cancelRequested: false, createdAt: new Date(createdMs).toISOString(),
      startedAt: status === 'queued' ? null : new Date(createdMs + 500).toISOString(), completedAt: done ? new Date(createdMs + 1500).toISOString() : null,
      durationMs: done ? 1000 : null, queueWaitMs: status === 'queued' ? null : 500, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      leaseExpiresAt: status === 'running' ? new Date(Date.now() + 600_000).toISOString() : null, checkpoint: null, version: done ? 3 : 1,
    };
  }
  async function putRuns(runs: Run[]) {
    const doc = makeDocumentClient(makeDynamoClient(runtime.dynamoEndpoint));
    for (let i = 0; i < runs.length; i += 25) {
      await doc.send(new BatchWriteCommand({ RequestItems: { [runtime.tableName]: runs.slice(i, i + 25).map((r) => ({ PutRequest: { Item: toRunItem(r) } })) } }));
    }
  }

  it('run detail: the timeline of a finished run, "n processed" without a percentage, and progress against a total known at start', async () => {
    const started = await api<{ run: { id: string } }>('alice', 'POST', '/tenants/contoso/runs', { type: 'inventory.sync', input: {} });
    await waitForCompletion('contoso', started.run.id);
    const page = await signIn('alice');
    await page.goto(`${runtime.url}/console/tenants/contoso/runs/${started.run.id}`);
    await page.getByRole('heading', { level: 2, name: 'Timeline' }).waitFor();
    const kinds = async () => page.locator('[data-testid=timeline-entry]').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')));
    await expect.poll(async () => (await kinds()).at(-1), { timeout: 30_000 }).toBe('completed');
    const seen = await kinds();
    expect(seen.slice(0, 2)).toEqual(['queued', 'started']);
    expect(seen.filter((k) => !['queued', 'started', 'checkpoint', 'continuation', 'takeover', 'completed'].includes(k!))).toEqual([]);
    expect(await page.locator('[data-testid=timeline-entry][data-kind=completed]').textContent()).toMatch(/Completed — Succeeded · \d+ processed: \d+ succeeded, 0 failed, 0 skipped/);
    // inventory totals are not known at start: a count, never a percentage
    const progress = await page.getByTestId('progress-text').textContent();
    expect(progress).toMatch(/^\d+ processed$/);
    expect(progress).not.toContain('%');
    await shot(page, 'run-timeline');

    // backup_set.add_policies knows its total at start (the policies asked for): progress against it
    const set = await api<{ id: string }>('alice', 'POST', '/tenants/contoso/backup-sets', { name: 'Timeline test set' });
    const add = await api<{ run: { id: string; context: Record<string, unknown> } }>('alice', 'POST', '/tenants/contoso/runs', { type: 'backup_set.add_policies', input: { backupSetId: set.id, policyIds: ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000a2'] } });
    expect(add.run.context.expectedTotal).toBe(2);
    await waitForCompletion('contoso', add.run.id);
    await page.goto(`${runtime.url}/console/tenants/contoso/runs/${add.run.id}`);
    await expect.poll(() => page.getByTestId('progress-text').textContent(), { timeout: 30_000 }).toBe('2 of 2 processed (100 %)');
    // and a link to its domain record
    await page.getByRole('link', { name: `Backup set ${set.id}` }).click();
    await page.waitForURL(`${runtime.url}/console/tenants/contoso/backup-sets/${set.id}`);
    await page.close();
  }, 180_000);

  it('runs list: the surface filter, and a filter combination that needs the server-side fill shows a full page', async () => {
    // 120 drift runs, only every 20th started from the console: the first Query of a page (25 items)
    // holds about one match, so only the server-side fill shows all six at once.
    const base = Date.now() - 3 * 3_600_000;
    const runs = Array.from({ length: 120 }, (_, i) => seeded('contoso', 'drift.generate', i % 20 === 0 ? 'console' : 'schedule', 'completed', 'succeeded', base + i * 1000));
    await putRuns(runs);
    const matching = runs.filter((r) => r.surface === 'console').map((r) => r.id).reverse();
    const page = await signIn('alice');
    await page.getByLabel('Type', { exact: true }).selectOption('drift.generate');
    await page.getByLabel('Surface', { exact: true }).selectOption('console');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/surface=console/);
    await expect.poll(() => page.getByTestId('list-status').textContent(), { timeout: 30_000 }).toBe('Showing 6 runs.');
    expect(await page.locator('[data-testid=run-row]').evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')))).toEqual(matching);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    await shot(page, 'runs-filter-fill');
    // nothing matches: said only now, and without "Load more"
    await page.getByLabel('Surface', { exact: true }).selectOption('retry');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.getByTestId('list-status').textContent(), { timeout: 30_000 }).toBe('No runs match these filters.');
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    await page.close();
  }, 120_000);

  it('Fleet: "All my tenants" lists active and failed runs of the last 24 h across tenants, newest first with names, and a summary per tenant', async () => {
    const now = Date.now();
    const fabFailed = seeded('fabrikam', 'policy.sync', 'schedule', 'completed', 'failed', now - 2 * 3_600_000);
    const fabOk = seeded('fabrikam', 'policy.sync', 'schedule', 'completed', 'succeeded', now - 3 * 3_600_000);
    const contosoRunning = seeded('contoso', 'group.sync', 'api', 'running', 'pending', now - 60_000);
    const old = seeded('fabrikam', 'policy.sync', 'schedule', 'completed', 'failed', now - 30 * 3_600_000);
    await putRuns([fabFailed, fabOk, contosoRunning, old]);
    const page = await signIn('dave');
    await page.getByTestId('fleet-link').click();
    await page.getByRole('heading', { level: 1, name: 'All my tenants' }).waitFor();
    expect(await page.getByTestId('fleet-link').getAttribute('aria-current')).toBe('page');
    const rows = page.locator('[data-testid=fleet-run]');
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run-id')));
    expect(ids).toContain(fabFailed.id);
    expect(ids).toContain(contosoRunning.id);
    expect(ids).not.toContain(fabOk.id);
    expect(ids).not.toContain(old.id);
    expect(ids.indexOf(contosoRunning.id)).toBeLessThan(ids.indexOf(fabFailed.id));
    const created = await rows.evaluateAll((els) => els.map((e) => e.querySelector('time')?.getAttribute('datetime') ?? ''));
    expect([...created].sort().reverse()).toEqual(created);
    expect(await page.locator(`[data-testid=fleet-run][data-run-id="${fabFailed.id}"]`).textContent()).toContain('Fabrikam Inc');
    expect(await page.locator(`[data-testid=fleet-run][data-run-id="${fabFailed.id}"] [data-testid=run-state]`).textContent()).toBe('Failed');
    const fab = page.locator('[data-testid=fleet-tenant][data-tenant-id=fabrikam]');
    expect(await fab.getByTestId('fleet-totals').textContent()).toMatch(/^\d+ succeeded · \d+ partial · [1-9]\d* failed/);
    expect(await fab.getByRole('rowheader', { name: 'policy.sync' }).isVisible()).toBe(true);
    expect(await page.locator('[data-testid=fleet-tenant]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tenant-id')))).toEqual(['contoso', 'fabrikam']);
    await shot(page, 'fleet');
    // a run links to its page in its own tenant
    await page.locator(`[data-testid=fleet-run][data-run-id="${fabFailed.id}"]`).getByRole('link', { name: 'policy.sync' }).click();
    await page.waitForURL(`${runtime.url}/console/tenants/fabrikam/runs/${fabFailed.id}`);
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`${runtime.url}/console/fleet`);
    await page.getByRole('heading', { level: 1, name: 'All my tenants' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
