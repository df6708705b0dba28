/** The run record (SPEC §2, §4) as the domain sees it. Pure types, no I/O. */

export const STATUSES = ['queued', 'running', 'completed'] as const;
export type RunStatus = (typeof STATUSES)[number];

export const OUTCOMES = ['pending', 'succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const;
export type RunOutcome = (typeof OUTCOMES)[number];
export type FinalOutcome = Exclude<RunOutcome, 'pending'>;

export const SURFACES = ['api', 'console', 'schedule', 'retry'] as const;
export type Surface = (typeof SURFACES)[number];

export const ROLES = ['readonly', 'operator', 'manager', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export const roleAtLeast = (role: Role, minimum: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(minimum);

export interface Initiator {
  userId: string | null;
  name: string;
}

export interface RunFailure {
  code: string;
  message: string;
  itemId?: string;
}

export type SummaryCounts = {
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  skipped: number;
} & Record<string, number>;

export const MAX_STORED_FAILURES = 50;

/** The run as stored and as the domain handles it. Dates are ISO strings. */
export interface Run {
  id: string;
  tenantId: string;
  type: string;
  label: string;
  status: RunStatus;
  outcome: RunOutcome;
  input: Record<string, unknown>;
  identityHash: string;
  initiator: Initiator;
  surface: Surface;
  summaryCounts: SummaryCounts;
  failures: RunFailure[];
  failureCount: number;
  context: Record<string, unknown>;
  attempt: number;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
  queueWaitMs: number | null;
  expiresAt: string;
  /** Internal: the worker's lease; not part of the API answer. */
  leaseExpiresAt: string | null;
  /** Internal: the resumable checkpoint cursor of the executor; not part of the API answer. */
  checkpoint: unknown | null;
  /** Internal: incremented by every write, so conditional writes and ETags can use it. */
  version: number;
}

export const emptyCounts = (): SummaryCounts => ({ total: 0, processed: 0, succeeded: 0, failed: 0, skipped: 0 });

export const isActive = (run: Pick<Run, 'status'>): boolean => run.status !== 'completed';

export const viewUrlOf = (tenantId: string, runId: string): string =>
  `/console/tenants/${encodeURIComponent(tenantId)}/runs/${encodeURIComponent(runId)}`;

/** The run as the API answers it (§4): internal bookkeeping removed. */
export function toApiRun(run: Run): Omit<Run, 'leaseExpiresAt' | 'checkpoint' | 'version'> {
  const { leaseExpiresAt: _l, checkpoint: _c, version: _v, ...rest } = run;
  return rest;
}

export type ApiRun = ReturnType<typeof toApiRun>;

/** The list view of a run: without `failures` and `input` (§5). */
export function toRunSummary(run: Run | RunSummary): RunSummary {
  const { input: _i, failures: _f, leaseExpiresAt: _l, checkpoint: _c, version: _v, ...rest } = run as Run;
  return rest;
}

/** A run as the lists answer it (§5): what the list indexes project. The detail reads the whole run. */
export type RunSummary = Omit<Run, 'input' | 'failures' | 'leaseExpiresAt' | 'checkpoint' | 'version'>;

/** A run summary as stored in a list index: with its version (newer state wins when two reads meet). */
export type StoredRunSummary = RunSummary & { version: number };
