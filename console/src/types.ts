/**
 * The shapes the console reads from the API (SPEC §4, §5, §7). Run and role come from the pure domain
 * model (shared/runs/model.ts has no I/O and no server dependency), so the two cannot drift.
 */
import type { ApiRun, Role } from '../../shared/runs/model.js';

export { ROLES, roleAtLeast, type Role } from '../../shared/runs/model.js';

export interface Membership { tenantId: string; tenantName: string; role: Role }
export interface Me { user: { id: string; name: string }; memberships: Membership[] }

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: string[];
  additionalProperties?: boolean | JsonSchema;
  minItems?: number;
  maxItems?: number;
}

export interface OperationType { type: string; label: string; minimumRole: Role; inputSchema: JsonSchema }

/** A run as the API answers it; list items come without `input` and `failures`. */
export type Run = Omit<ApiRun, 'input' | 'failures'> & Partial<Pick<ApiRun, 'input' | 'failures'>>;

export interface Page<T> { items: T[]; nextCursor: string | null }

export interface Notification {
  id: string;
  tenantId: string;
  runId: string;
  kind: 'run.queued' | 'run.completed';
  title: string;
  body: string;
  outcome?: string;
  viewUrl: string;
  createdAt: string;
  readAt: string | null;
}

export interface Problem { type?: string; title?: string; status: number; detail?: string; errors?: Array<{ path: string; message: string }>; [k: string]: unknown }

export const isActive = (run: Pick<Run, 'status'>): boolean => run.status !== 'completed';
