/** How runs read on screen: status in words (never colour alone), durations, dates. */
import { h } from './dom.js';
import type { Run } from './types.js';

const OUTCOME_TEXT: Record<Run['outcome'], string> = {
  pending: 'Pending',
  succeeded: 'Succeeded',
  partially_succeeded: 'Partially succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};
const STATUS_TEXT: Record<Run['status'], string> = { queued: 'Queued', running: 'Running', completed: 'Completed' };

export const statusText = (s: Run['status']) => STATUS_TEXT[s] ?? s;
export const outcomeText = (o: Run['outcome']) => OUTCOME_TEXT[o] ?? o;

/** The one word that says where a run is: its status while active, its outcome once completed. */
export function stateText(run: Pick<Run, 'status' | 'outcome' | 'cancelRequested'>): string {
  if (run.status !== 'completed') return run.cancelRequested ? `${statusText(run.status)} (cancelling)` : statusText(run.status);
  return outcomeText(run.outcome);
}

export function badge(run: Pick<Run, 'status' | 'outcome' | 'cancelRequested'>): HTMLElement {
  const key = run.status === 'completed' ? run.outcome : run.status;
  return h('span', { class: `badge badge-${key}`, 'data-testid': 'run-state' }, stateText(run));
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function time(iso: string | null | undefined): HTMLElement | string {
  if (!iso) return '—';
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, Number.isNaN(d.getTime()) ? iso : d.toLocaleString());
}

/** A sentence for the live region: "Inventory sync is running." / "Inventory sync was cancelled." */
export function stateSentence(run: Pick<Run, 'label' | 'status' | 'outcome' | 'cancelRequested'>): string {
  if (run.status !== 'completed') return `${run.label} is ${statusText(run.status).toLowerCase()}${run.cancelRequested ? ', cancelling' : ''}.`;
  const words: Record<Run['outcome'], string> = { pending: 'completed', succeeded: 'succeeded', partially_succeeded: 'partially succeeded', failed: 'failed', cancelled: 'was cancelled' };
  return `${run.label} ${words[run.outcome]}.`;
}

export const initiatorText = (i: Run['initiator']) => (i.userId ? `${i.name} (${i.userId})` : `${i.name} (system)`);
