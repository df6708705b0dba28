/**
 * The bell: unread count (GET /me/notifications?unread=true), a disclosure panel with the newest
 * notifications, "Mark as read" (POST /me/notifications/{id}/read → 204), each linking to its run.
 */
import { get, post } from './api.js';
import { h, mount } from './dom.js';
import { linkAttrs } from './router.js';
import { announce } from './announce.js';
import { problemAlert } from './problem-view.js';
import { time } from './format.js';
import type { Notification, Page } from './types.js';

const REFRESH_MS = 4000;

export class NotificationsBell {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly panel: HTMLElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private unread = -1;
  private open = false;

  constructor() {
    this.button = h('button', { type: 'button', class: 'bell', 'aria-expanded': 'false', 'aria-controls': 'notifications-panel', 'data-testid': 'bell' }, 'Notifications');
    this.panel = h('section', { id: 'notifications-panel', class: 'panel', 'aria-label': 'Notifications', hidden: true });
    this.button.addEventListener('click', () => void this.toggle());
    // Escape closes the panel and returns focus to the bell, as a disclosure should.
    this.panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') { void this.toggle(false); this.button.focus(); } });
    this.element = h('div', { class: 'bell-wrap' }, this.button, this.panel);
  }

  start(): void {
    if (this.timer) return;
    void this.refreshCount();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Called when something the user did probably produced a notification (a run started or ended). */
  async refresh(): Promise<void> {
    await this.refreshCount();
    if (this.open) await this.loadList();
  }

  private async refreshCount(): Promise<void> {
    try {
      const page = await get<Page<Notification>>('/me/notifications?unread=true&limit=100');
      const count = page.items.length;
      const text = page.nextCursor ? `${count}+` : String(count);
      if (this.unread >= 0 && count > this.unread) announce(`${count - this.unread} new notification${count - this.unread === 1 ? '' : 's'}`);
      this.unread = count;
      mount(this.button, 'Notifications ', h('span', { class: count ? 'count count-unread' : 'count', 'data-testid': 'unread-count' }, text), h('span', { class: 'visually-hidden' }, ' unread'));
    } catch {
      mount(this.button, 'Notifications');
    }
  }

  private async toggle(force?: boolean): Promise<void> {
    this.open = force ?? !this.open;
    this.button.setAttribute('aria-expanded', String(this.open));
    this.panel.hidden = !this.open;
    if (this.open) await this.loadList();
  }

  private async loadList(): Promise<void> {
    try {
      const page = await get<Page<Notification>>('/me/notifications?limit=20');
      mount(this.panel,
        h('h2', { tabindex: '-1' }, 'Notifications'),
        page.items.length === 0 ? h('p', {}, 'No notifications yet.') : h('ul', { class: 'notifications' }, page.items.map((n) => this.item(n))),
      );
    } catch (err) {
      mount(this.panel, h('h2', {}, 'Notifications'), problemAlert(err, 'Could not load notifications'));
    }
  }

  private item(n: Notification): HTMLElement {
    const unread = !n.readAt;
    const li = h('li', { class: unread ? 'unread' : 'read', 'data-testid': 'notification', 'data-run-id': n.runId },
      h('p', { class: 'title' }, unread ? h('span', { class: 'dot' }, 'Unread: ') : null, n.title),
      n.body ? h('p', {}, n.body) : null,
      h('p', { class: 'meta' }, time(n.createdAt), ' · ', h('a', linkAttrs(n.viewUrl), 'View run')),
    );
    if (unread) {
      const btn = h('button', { type: 'button' }, 'Mark as read');
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        try {
          await post(`/me/notifications/${encodeURIComponent(n.id)}/read`);
          await this.refresh();
          // The button is gone after the redraw; keep keyboard focus inside the panel.
          this.panel.querySelector<HTMLElement>('h2')?.focus();
          announce('Notification marked as read');
        } catch (err) {
          btn.disabled = false;
          li.append(problemAlert(err));
        }
      });
      li.append(btn);
    }
    return li;
  }
}
