/**
 * The Members and Audit pages (issue 19), in Debian's Chromium against the real local runtime
 * in-process: an owner invites an email, the invited person joins by signing in with it and sees the
 * tenant, the owner changes a role, removes a member, revokes an invitation, and reads all of it on
 * the Audit page with filters and "Load more". Below owner both pages say why instead of asking the API.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { type LocalRuntime } from '../../infra/local/runtime.js';
import { apiAs, openSignIn, runInBrowser, SCREENSHOTS, signInAs, useConsoleHarness } from '../support/browser.js';

describe.skipIf(!runInBrowser)('console Members and Audit pages (browser)', () => {
  let runtime: LocalRuntime;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const harness = useConsoleHarness('members', (h) => { ({ runtime, context } = h); });

  const openLogin = () => openSignIn(harness(), pageErrors);
  const signIn = (userId: string) => signInAs(harness(), userId, pageErrors);
  async function api<T>(userId: string, p: string): Promise<T> {
    const res = await apiAs<T>(runtime, userId, 'GET', p);
    expect(res.status).toBe(200);
    return res.body;
  }

  const nav = async (page: Page, name: string) => {
    await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(`^${name} — Contoso Ltd$`) }).waitFor();
  };
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `console-${name}.png`), fullPage: true });
  const result = (page: Page) => page.getByTestId('members-result');

  it('an owner invites an email; the invited person joins with it and sees the tenant', async () => {
    const page = await signIn('alice');
    await nav(page, 'Members');
    await expect.poll(() => page.locator('[data-testid=member-row]').count()).toBe(3);
    // the invitations list loads on its own, independently of the members list
    await expect.poll(() => page.getByTestId('invitations-status').textContent()).toBe('No pending invitations.');

    await page.getByLabel('Email', { exact: true }).fill('Hana@Example.com');
    await page.locator('#invite-role').selectOption('operator');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => result(page).textContent()).toBe('Invited hana@example.com as operator.');
    await expect.poll(() => page.locator('[data-testid=invitation-row]').count()).toBe(1);
    // a second invitation of the same email is refused with the API's reason
    await page.getByLabel('Email', { exact: true }).fill('hana@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => result(page).getByTestId('problem').textContent()).toMatch(/already has a pending invitation/);
    await shot(page, 'members');

    const hana = await openLogin();
    await hana.getByLabel('New user id', { exact: true }).fill('hana');
    await hana.getByLabel('Email', { exact: true }).fill('hana@example.com');
    await hana.getByLabel('Display name (optional)').fill('Hana Newcomer');
    await hana.getByRole('button', { name: 'Join with this email' }).click();
    await hana.getByRole('heading', { name: 'Runs — Contoso Ltd' }).waitFor();
    expect(await hana.getByTestId('signed-in-user').textContent()).toBe('Hana Newcomer');
    // an operator sees the Members page's reason, not a 403
    await nav(hana, 'Members');
    expect(await hana.getByTestId('members-reason').textContent()).toMatch(/needs the owner role or higher; you are operator/);
    await hana.close();

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Members — Contoso Ltd' }).waitFor();
    await expect.poll(() => page.locator('[data-testid=member-row]').count()).toBe(4);
    expect(await page.locator('[data-testid=member-row][data-user-id=hana] th').textContent()).toBe('Hana Newcomer');
    await expect.poll(() => page.getByTestId('invitations-status').textContent()).toBe('No pending invitations.');
    await page.close();
  }, 120_000);

  it('an owner changes a role, removes a member and revokes an invitation; the last owner stays', async () => {
    const page = await signIn('alice');
    await nav(page, 'Members');
    await expect.poll(() => page.locator('[data-testid=member-row]').count()).toBe(4);
    await page.getByLabel('Role of Hana Newcomer').selectOption('manager');
    await expect.poll(() => result(page).textContent()).toBe('Hana Newcomer is now manager.');
    const members = await api<{ items: Array<{ userId: string; role: string }> }>('alice', '/tenants/contoso/members');
    expect(members.items.find((m) => m.userId === 'hana')!.role).toBe('manager');

    // the last owner cannot demote herself: the API's 409 is shown and the select goes back
    await page.getByLabel('Role of Alice Admin').selectOption('manager');
    await expect.poll(() => result(page).getByTestId('problem').textContent()).toMatch(/at least one owner/);
    expect(await page.getByLabel('Role of Alice Admin').inputValue()).toBe('owner');

    await page.getByTestId('remove-hana').click();
    expect(await page.getByTestId('remove-hana').textContent()).toBe('Confirm remove');
    await page.getByTestId('remove-hana').click();
    await expect.poll(() => result(page).textContent()).toBe('Hana Newcomer was removed.');
    await expect.poll(() => page.locator('[data-testid=member-row]').count()).toBe(3);

    await page.getByLabel('Email', { exact: true }).fill('ivan@example.com');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.locator('[data-testid=invitation-row]').count()).toBe(1);
    const invitationId = (await page.locator('[data-testid=invitation-row]').getAttribute('data-invitation-id'))!;
    await page.getByTestId(`revoke-${invitationId}`).click();
    await page.getByTestId(`revoke-${invitationId}`).click();
    await expect.poll(() => result(page).textContent()).toBe('The invitation of ivan@example.com was revoked.');
    await expect.poll(() => page.getByTestId('invitations-status').textContent()).toBe('No pending invitations.');
    await page.close();
  }, 120_000);

  it('Audit lists every action newest first, filters by actor and action, and pages with "Load more"', async () => {
    const page = await signIn('alice');
    await nav(page, 'Audit');
    const actions = () => page.locator('[data-testid=audit-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    await expect.poll(actions).toEqual([
      'invitation.revoked', 'invitation.sent', 'member.removed', 'member.role_changed', 'invitation.accepted', 'invitation.sent',
    ]);
    await shot(page, 'audit');

    await page.getByLabel('Actor', { exact: true }).fill('hana');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(actions).toEqual(['invitation.accepted']);

    await page.getByLabel('Actor', { exact: true }).fill('');
    await page.getByLabel('Action', { exact: true }).selectOption('invitation.sent');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(actions).toEqual(['invitation.sent', 'invitation.sent']);

    // 30 more entries (schedule created + deleted × 15) → more than one page of 25
    for (let i = 0; i < 15; i++) {
      const created = await apiAs<{ id: string }>(runtime, 'alice', 'POST', '/tenants/contoso/backup-schedules', { name: `Audit page ${i}`, cron: '0 5 * * *', keepLast: 2 });
      expect(created.status).toBe(201);
      expect((await apiAs(runtime, 'alice', 'DELETE', `/tenants/contoso/backup-schedules/${created.body.id}`)).status).toBe(204);
    }
    await page.getByLabel('Action', { exact: true }).selectOption('');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('[data-testid=audit-row]').count()).toBe(25);
    expect((await actions())[0]).toBe('schedule.deleted');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => page.locator('[data-testid=audit-row]').count()).toBe(36);
    await expect.poll(() => page.getByTestId('audit-status').textContent()).toBe('Showing 36 entries.');

    // every control has an accessible name, and at 1024 px nothing scrolls sideways (the nav grew by two pages)
    for (const name of ['Members', 'Audit']) {
      await nav(page, name);
      await page.waitForLoadState('networkidle');
      const unlabelled = await page.evaluate(() => Array.from(document.querySelectorAll('main input, main select, main textarea, main button')).filter((el) => {
        const e = el as HTMLInputElement;
        return !((e.labels && e.labels.length > 0) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || (e.tagName === 'BUTTON' && e.textContent!.trim()));
      }).map((e) => e.outerHTML));
      expect(unlabelled, name).toEqual([]);
      await page.setViewportSize({ width: 1024, height: 800 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(1024);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.close();

    // below owner: the page says why
    const carol = await signIn('carol');
    await nav(carol, 'Audit');
    expect(await carol.getByTestId('audit-reason').textContent()).toMatch(/needs the owner role or higher; you are read-only/);
    await carol.close();
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
