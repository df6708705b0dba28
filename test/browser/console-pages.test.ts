/**
 * The console's domain pages and every start surface on them (issue 17, items 1, 5, 6), in Debian's
 * Chromium against the real local runtime in-process: Inventory, Policies (versions, diff, add to a
 * backup set), Groups (sync, the delegated search disabled with its reason, then enabled with a
 * pasted token), Drift, Backup sets, Backup schedules (create, edit, Run now, Retry, delete) and
 * Restores (dry run first, mapping from the cached directory with its helper text). Each start answers
 * with a "View run" link that leads to the run. A screenshot of every page lands in test-results/.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { type LocalRuntime } from '../../infra/local/runtime.js';
import type { GraphSim } from '../../infra/local/graph-sim.js';
import { apiAs, runInBrowser, SCREENSHOTS, signInAs, useConsoleHarness, watchCsp } from '../support/browser.js';
import { NIGHTLY } from '../../infra/local/seed-backup-schedules.js';

const RUN_LINK = /^\/console\/tenants\/contoso\/runs\/[0-9A-Z]{26}$/;

describe.skipIf(!runInBrowser)('console domain pages (browser)', () => {
  let runtime: LocalRuntime;
  let sim: GraphSim;
  let context: BrowserContext;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  const harness = useConsoleHarness('pages', (h) => { ({ runtime, context, sim } = h); });

  const signIn = (userId: string) =>
    signInAs(harness(), userId, pageErrors, watchCsp(cspViolations));
  async function apiGet<T>(userId: string, p: string): Promise<T> {
    const res = await apiAs<T>(runtime, userId, 'GET', p);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function waitForCompletion(runId: string, timeoutMs = 60_000) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const run = await apiGet<{ status: string; outcome: string; type: string; surface: string; input: Record<string, unknown> }>('alice', `/tenants/contoso/runs/${runId}`);
      if (run.status === 'completed') return run;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`run ${runId} did not complete`);
  }

  /** Presses a start button, expects "Queued — View run" beside it, and returns the run id it links. */
  async function start(page: Page, testId: string, expected = 'Queued — View run'): Promise<string> {
    await page.getByTestId(testId).click();
    const outcome = page.getByTestId(`${testId}-result`).getByTestId('start-outcome');
    await expect.poll(() => outcome.textContent()).toBe(expected);
    const href = await outcome.getByRole('link', { name: 'View run' }).getAttribute('href');
    expect(href).toMatch(RUN_LINK);
    return href!.split('/').pop()!;
  }

  const nav = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`^${name} — Contoso Ltd$`) }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });

  let backupSetId = '';
  let mutatedPolicyId = '';

  it('Inventory: "Sync now" starts inventory.sync with a View run link, and the items appear', async () => {
    const page = await signIn('alice');
    await nav(page, 'Inventory');
    await expect.poll(() => page.getByTestId('inventory-status').textContent()).toMatch(/^No inventory yet/);
    const runId = await start(page, 'sync-inventory');
    const run = await waitForCompletion(runId);
    expect([run.type, run.surface, run.outcome]).toEqual(['inventory.sync', 'console', 'succeeded']);
    // The link leads to the run page.
    await page.getByTestId('sync-inventory-result').getByRole('link', { name: 'View run' }).click();
    await page.waitForURL(`${runtime.url}/console/tenants/contoso/runs/${runId}`);
    await page.getByRole('heading', { level: 1, name: /Inventory sync/ }).waitFor();
    await nav(page, 'Inventory');
    await expect.poll(() => page.locator('[data-testid=inventory-row]').count()).toBe(50);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(true);
    await page.getByLabel('Category', { exact: true }).selectOption('deviceCompliancePolicies');
    await expect.poll(() => page.locator('[data-testid=inventory-row]').count()).toBe(10);
    expect(new Set(await page.locator('[data-testid=inventory-row] td:nth-child(2)').allTextContents())).toEqual(new Set(['deviceCompliancePolicies']));
    await shot(page, 'inventory');
    await page.close();
  }, 120_000);

  it('Backup sets: create one; Policies: "Sync now", then "Add selected to a backup set"; the set shows its items paginated', async () => {
    const page = await signIn('alice');
    await nav(page, 'Policies');
    const syncRun = await start(page, 'sync-policies');
    expect((await waitForCompletion(syncRun)).type).toBe('policy.sync');

    await nav(page, 'Backup sets');
    await page.getByLabel('Name', { exact: true }).fill('Before the change');
    await page.getByRole('button', { name: 'Create backup set' }).click();
    await page.getByTestId('create-set-result').getByRole('link', { name: 'Before the change' }).waitFor();
    await expect.poll(() => page.locator('[data-testid=backup-set-row]').count()).toBe(1);
    backupSetId = (await page.locator('[data-testid=backup-set-row]').getAttribute('data-set-id'))!;

    await nav(page, 'Policies');
    await expect.poll(() => page.locator('[data-testid=policy-row]').count()).toBe(50);
    // Nothing chosen yet: the button is disabled and says why.
    expect(await page.getByTestId('add-to-set').isDisabled()).toBe(true);
    expect(await page.getByTestId('add-to-set-reason').textContent()).toBe('Select at least one policy first.');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => page.locator('[data-testid=policy-row]').count()).toBe(60);
    const rows = page.locator('[data-testid=policy-row]');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) {
      ids.push((await rows.nth(i).getAttribute('data-policy-id'))!);
      await rows.nth(i).getByRole('checkbox').check();
    }
    expect(await page.getByTestId('selected-count').textContent()).toBe('25 selected.');
    expect(await page.getByTestId('add-to-set-reason').textContent()).toBe('Choose a backup set first.');
    await page.getByLabel('Backup set', { exact: true }).selectOption(backupSetId);
    const addRun = await start(page, 'add-to-set');
    const run = await waitForCompletion(addRun);
    expect([run.type, run.outcome]).toEqual(['backup_set.add_policies', 'succeeded']);
    expect(run.input).toEqual({ backupSetId, policyIds: ids });
    mutatedPolicyId = ids[0];
    await shot(page, 'policies');

    await nav(page, 'Backup sets');
    await page.locator('[data-testid=backup-set-row]').getByRole('link', { name: 'Before the change' }).click();
    await page.getByRole('heading', { level: 1, name: /Before the change/ }).waitFor();
    expect(await page.getByTestId('set-item-count').textContent()).toBe('25');
    expect(await page.locator('[data-testid=set-item-row]').count()).toBe(20);
    expect(await page.getByTestId('items-page').textContent()).toBe('Page 1 of 2');
    await shot(page, 'backup-set');
    await page.getByRole('link', { name: 'Next →' }).click();
    await expect.poll(() => page.getByTestId('items-page').textContent()).toBe('Page 2 of 2');
    expect(await page.locator('[data-testid=set-item-row]').count()).toBe(5);
    await nav(page, 'Backup sets');
    await shot(page, 'backup-sets');
    await page.close();
  }, 120_000);

  it('Policies: a changed policy gets a second version, and the diff between the two names the changed paths', async () => {
    sim.mutatePolicy('contoso', mutatedPolicyId, { description: 'changed by the browser test' });
    const page = await signIn('alice');
    await page.goto(`${runtime.url}/console/tenants/contoso/policies/${mutatedPolicyId}`);
    await page.getByRole('heading', { name: 'Versions (1)' }).waitFor();
    expect(await page.getByText('Only one version so far; a diff needs two.').count()).toBe(1);
    const runId = await start(page, 'sync-policy');
    expect((await waitForCompletion(runId)).input).toEqual({ policyIds: [mutatedPolicyId] });
    await page.reload();
    await page.getByRole('heading', { name: 'Versions (2)' }).waitFor();
    expect(await page.getByLabel('From version').inputValue()).toBe('1');
    expect(await page.getByLabel('To version').inputValue()).toBe('2');
    const paths = await page.getByTestId('diff-path').allTextContents();
    expect(paths).toContain('content.description');
    expect(await page.getByTestId('diff-summary').textContent()).toMatch(/^\d+ changed paths? from v1 to v2\.$/);
    await shot(page, 'policy-diff');
    // The same version on both sides: identical.
    await page.getByLabel('To version').selectOption('1');
    await expect.poll(() => page.getByTestId('diff-summary').textContent()).toBe('v1 and v1 are identical.');
    await page.close();
  }, 120_000);

  it('Drift: "Generate now" against the backup set finds the changed policy with its JSON paths', async () => {
    const page = await signIn('alice');
    await nav(page, 'Drift');
    await page.getByLabel('Baseline', { exact: true }).selectOption(backupSetId);
    const runId = await start(page, 'generate-drift');
    const run = await waitForCompletion(runId);
    expect([run.type, run.outcome, run.input]).toEqual(['drift.generate', 'succeeded', { baselineBackupSetId: backupSetId }]);
    await page.reload();
    const finding = page.locator('[data-testid=finding-row]').filter({ has: page.locator(`a[href$="/policies/${mutatedPolicyId}"]`) });
    await finding.waitFor();
    expect(await finding.getByTestId('finding-kind').textContent()).toBe('Modified');
    expect(await finding.getByTestId('finding-path').allTextContents()).toContain('description');
    await shot(page, 'drift');
    await page.close();
  }, 120_000);

  it('Groups: "Sync groups", the cached directory, and the delegated search: disabled with its reason until a token is pasted', async () => {
    const page = await signIn('alice');
    await nav(page, 'Groups');
    const search = page.getByTestId('group-search-button');
    expect(await search.isDisabled()).toBe(true);
    expect(await page.getByLabel('Group name').isDisabled()).toBe(true);
    expect(await page.getByTestId('group-search-reason').textContent()).toBe('Group search is disabled: it needs a delegated Microsoft Graph token, and none is present. Paste one above to enable it.');
    await shot(page, 'groups-search-disabled');

    const runId = await start(page, 'sync-groups');
    expect((await waitForCompletion(runId)).type).toBe('directory_groups.sync');
    await page.reload();
    await expect.poll(() => page.locator('[data-testid=group-row]').count()).toBe(40);
    await page.getByLabel('Name starts with').fill('Sales');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(async () => { const t = await page.locator('[data-testid=group-row] th').allTextContents(); return t.length > 0 && t.every((x) => x.startsWith('Sales')); }).toBe(true);

    // A pasted delegated token enables the search; it goes in the header of that one request.
    const sent: Array<string | undefined> = [];
    page.on('request', (r) => { if (r.url().includes('/directory/group-search')) sent.push(r.headers()['x-graph-delegated-token']); });
    const token = sim.delegatedToken('contoso');
    await page.getByLabel('Delegated Graph token').fill(token);
    expect(await search.isEnabled()).toBe(true);
    await page.getByLabel('Group name').fill('Finance');
    await search.click();
    await expect.poll(() => page.getByTestId('group-search-hit').count()).toBeGreaterThan(0);
    expect((await page.getByTestId('group-search-hit').allTextContents()).every((t) => t.startsWith('Finance'))).toBe(true);
    expect(sent).toEqual([token]);
    expect(await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }))).not.toContain(token);
    await page.getByLabel('Delegated Graph token').fill('');
    expect(await search.isDisabled()).toBe(true);
    await shot(page, 'groups');
    await page.close();
  }, 120_000);

  it('Backup schedules: create, edit, Run now, Retry on a partially succeeded run, next run time, delete', async () => {
    const page = await signIn('alice');
    await nav(page, 'Backup schedules');
    // The seeded "Nightly" schedule with its next run time and no skip.
    const nightly = page.locator(`[data-testid=schedule-row][data-schedule-id="${NIGHTLY.id}"]`);
    await nightly.waitFor();
    expect(await nightly.locator('[data-field=next-run] time').getAttribute('datetime')).toMatch(/T02:00:00/);
    expect(await nightly.locator('[data-field=last-skip]').textContent()).toBe('—');

    await page.getByLabel('Name', { exact: true }).fill('Compliance only');
    await page.getByLabel('Cron (UTC)').fill('30 3 * * 1');
    await page.getByLabel('Keep last (sets)').fill('3');
    await page.getByLabel('deviceCompliancePolicies').check();
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByTestId('create-schedule-result').getByRole('link', { name: 'Compliance only' }).waitFor();
    const created = page.locator('[data-testid=schedule-row]').filter({ hasText: 'Compliance only' });
    await created.waitFor();
    expect(await created.locator('[data-field=next-run] time').getAttribute('datetime')).toMatch(/T03:30:00/);
    // An invalid cron is refused with the API's field error.
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel('Cron (UTC)').fill('every day');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await expect.poll(() => page.locator('form[aria-label="Create schedule"] [data-testid=problem]').textContent()).toContain('cron');
    await shot(page, 'schedules');

    // Run now fails one item (Graph forbids it): partially succeeded, then Retry on the schedule page.
    const scheduleId = (await created.getAttribute('data-schedule-id'))!;
    const compliance = sim.policies('contoso').filter((x) => x.category === 'deviceCompliancePolicies');
    sim.setFaults({ forbidden: [compliance[0].id] });
    let runNow: string;
    try {
      runNow = await start(page, `run-now-${scheduleId}`);
      const run = await waitForCompletion(runNow);
      expect([run.type, run.outcome]).toEqual(['backup_schedule.run_now', 'partially_succeeded']);
    } finally {
      sim.setFaults({});
    }
    await created.getByRole('link', { name: 'Compliance only' }).click();
    await page.getByRole('heading', { level: 1, name: /Compliance only/ }).waitFor();
    const entry = page.locator(`[data-testid=history-row][data-run-id="${runNow}"]`);
    await expect.poll(() => entry.getByTestId('status').textContent()).toBe('Partially succeeded');
    const retryRun = await start(page, `retry-${runNow}`);
    const retried = await waitForCompletion(retryRun);
    expect([retried.type, retried.outcome, retried.input]).toEqual(['backup_schedule.retry', 'succeeded', { scheduleId, runId: runNow }]);
    await page.reload();
    await page.locator(`[data-testid=history-row][data-run-id="${retryRun}"]`).waitFor();
    await shot(page, 'schedule');

    // Edit: a new name and cron; the next run time follows the cron.
    await page.getByLabel('Name', { exact: true }).fill('Compliance weekly');
    await page.getByLabel('Cron (UTC)').fill('15 4 * * 2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: /Compliance weekly/ }).waitFor();
    expect(await page.getByTestId('next-run').locator('time').getAttribute('datetime')).toMatch(/T04:15:00/);
    expect((await apiGet<{ name: string; cron: string; categories: string[] }>('alice', `/tenants/contoso/backup-schedules/${scheduleId}`))).toMatchObject({ name: 'Compliance weekly', cron: '15 4 * * 2', categories: ['deviceCompliancePolicies'] });

    // Delete takes two presses.
    await page.getByTestId('delete-schedule').click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.getByRole('heading', { level: 1, name: 'Backup schedules — Contoso Ltd' }).waitFor();
    await expect.poll(() => page.locator(`[data-testid=schedule-row][data-schedule-id="${scheduleId}"]`).count()).toBe(0);
    await page.close();
  }, 180_000);

  it('Restores: the mapping helper text is always visible, a dry run comes first, then the real restore; per-item results', async () => {
    const page = await signIn('alice');
    await nav(page, 'Restores');
    const help = page.getByTestId('mapping-help');
    expect(await help.isVisible()).toBe(true);
    expect(await help.textContent()).toContain('Mapping targets come from the cached directory (synced by "Sync groups" on the Groups page).');
    expect(await page.getByTestId('restore-dry-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('restore-dry-run-reason').textContent()).toBe('Choose a backup set first.');

    await page.getByLabel('Backup set', { exact: true }).selectOption(backupSetId);
    await page.getByTestId('group-mapping').waitFor();
    expect(await help.isVisible()).toBe(true);
    // The real restore waits for a dry run of this selection.
    expect(await page.getByTestId('restore-real').isDisabled()).toBe(true);
    expect(await page.getByTestId('restore-real-reason').textContent()).toMatch(/^Run a dry run of this selection first/);
    // Map the first assigned group to a group picked from the cached directory.
    const mapping = page.getByTestId('group-mapping').getByRole('combobox').first();
    const options = await mapping.locator('option').allTextContents();
    expect(options.length).toBe(41); // "Keep the same group" + the 40 cached groups
    const target = sim.groups('contoso').find((g) => g.displayName.startsWith('Legal'))!;
    await mapping.selectOption(target.id);
    const item = page.locator('.checks input[type=checkbox]').first();
    await item.check();

    const dryRun = await start(page, 'restore-dry-run');
    const dry = await waitForCompletion(dryRun);
    expect(dry.type).toBe('restore.execute');
    expect(dry.input).toMatchObject({ backupSetId, dryRun: true });
    expect(Object.values(dry.input.groupMapping as Record<string, string>)).toEqual([target.id]);
    await page.getByTestId('dry-run-summary').waitFor();
    await expect.poll(() => page.getByTestId('restore-real').isEnabled()).toBe(true);
    expect(await page.locator('[data-testid=dry-run-result] [data-testid=restore-item-row]').count()).toBe(1);
    await shot(page, 'restores');

    const realRun = await start(page, 'restore-real');
    const real = await waitForCompletion(realRun);
    expect(real.input).toMatchObject({ backupSetId, dryRun: false });
    // Changing the selection asks for a new dry run.
    await item.uncheck();
    expect(await page.getByTestId('restore-real').isDisabled()).toBe(true);

    // The restore record's page: per-item results.
    const runBody = await apiGet<{ context: { restoreId: string } }>('alice', `/tenants/contoso/runs/${realRun}`);
    await page.goto(`${runtime.url}/console/tenants/contoso/restores/${runBody.context.restoreId}`);
    await page.getByRole('heading', { level: 1, name: /^Restore/ }).waitFor();
    const statuses = await page.getByTestId('item-status').allTextContents();
    expect(statuses).toHaveLength(1);
    expect(['Restored', 'Unchanged', 'Failed']).toContain(statuses[0]);
    await shot(page, 'restore');
    // The run page links to its records.
    await page.getByRole('link', { name: 'View run' }).click();
    await page.getByRole('link', { name: `Restore ${runBody.context.restoreId}` }).click();
    await page.getByTestId('restore-items').waitFor();
    await page.close();
  }, 180_000);

  it('below the minimum role a start button is disabled with the reason: carol (readonly), dave (operator) on Restores', async () => {
    const carol = await signIn('carol');
    for (const [pageName, testId] of [['Inventory', 'sync-inventory'], ['Policies', 'sync-policies'], ['Groups', 'sync-groups'], ['Drift', 'generate-drift']] as const) {
      await nav(carol, pageName);
      expect(await carol.getByTestId(testId).isDisabled()).toBe(true);
      expect(await carol.getByTestId(`${testId}-reason`).textContent()).toMatch(/needs the operator role or higher; you are read-only in this tenant\.$/);
    }
    await nav(carol, 'Groups');
    expect(await carol.getByTestId('group-search-reason').textContent()).toBe('Group search needs the manager role or higher; you are read-only in this tenant.');
    expect(await carol.getByLabel('Delegated Graph token').count()).toBe(0);
    await nav(carol, 'Backup sets');
    expect(await carol.getByRole('button', { name: 'Create backup set' }).isDisabled()).toBe(true);
    await nav(carol, 'Backup schedules');
    expect(await carol.getByRole('button', { name: 'Create schedule' }).isDisabled()).toBe(true);
    expect(await carol.getByTestId(`run-now-${NIGHTLY.id}`).isDisabled()).toBe(true);
    await carol.close();

    const dave = await signIn('dave');
    await dave.getByLabel('Tenant').selectOption('contoso');
    await dave.getByRole('heading', { name: 'Runs — Contoso Ltd' }).waitFor();
    await nav(dave, 'Restores');
    await dave.getByLabel('Backup set', { exact: true }).selectOption(backupSetId);
    expect(await dave.getByTestId('restore-dry-run').isDisabled()).toBe(true);
    expect(await dave.getByTestId('restore-dry-run-reason').textContent()).toBe('Dry run needs the manager role or higher; you are operator in this tenant.');
    expect(await dave.getByTestId('mapping-help').isVisible()).toBe(true);
    // An operator may run a schedule now, though not edit it.
    await nav(dave, 'Backup schedules');
    expect(await dave.getByTestId(`run-now-${NIGHTLY.id}`).isEnabled()).toBe(true);
    await dave.close();
  }, 120_000);

  it('keyboard, labels, status as text, dark theme and 1024 px', async () => {
    const page = await signIn('alice');
    // Tab from the top of a freshly loaded page reaches the pages nav; focus is visible (an outline is drawn).
    await page.reload();
    await page.getByRole('heading', { name: /^Runs — / }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let reached = '';
    const seen: string[] = [];
    for (let i = 0; i < 15 && !reached; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 60) ?? 'none'));
      reached = await page.evaluate(() => (document.activeElement?.closest('nav.tenant-nav') ? document.activeElement!.textContent ?? '' : ''));
    }
    expect(reached, seen.join('\n')).toBe('Runs');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Inventory — Contoso Ltd' }).waitFor();

    // Every form control on every page has an accessible name; status badges carry text.
    for (const name of ['Inventory', 'Policies', 'Groups', 'Drift', 'Backup sets', 'Backup schedules', 'Restores', 'Runs']) {
      await nav(page, name);
      await page.waitForLoadState('networkidle');
      const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('main input, main select, main textarea, main button')).filter((el) => {
        const e = el as HTMLInputElement;
        const labelled = (e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent!.trim());
        return !labelled;
      }).map((e) => e.outerHTML));
      expect(unlabelled, name).toEqual([]);
      const emptyBadges = await page.locator('main .badge').evaluateAll((b) => b.filter((x) => !x.textContent!.trim()).length);
      expect(emptyBadges).toBe(0);
      // Usable at 1024 px: nothing scrolls sideways.
      await page.setViewportSize({ width: 1024, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(1024);
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    // Dark theme via prefers-color-scheme.
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(light).not.toBe(dark);
    expect(dark).toBe('rgb(13, 17, 23)');
    await nav(page, 'Backup schedules');
    await page.setViewportSize({ width: 1024, height: 800 });
    await shot(page, 'dark-1024');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
