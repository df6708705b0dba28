/** One polite live region for changes that happen without the user asking (a run finished, a notification arrived). */
let region: HTMLElement | null = null;

export function setAnnouncer(el: HTMLElement): void { region = el; }

export function announce(text: string): void {
  if (!region) return;
  // Clearing first makes screen readers repeat an identical message.
  region.textContent = '';
  setTimeout(() => { if (region) region.textContent = text; }, 50);
}
