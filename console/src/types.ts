/** The shapes the console reads from the API (SPEC §4, §5, §7). Kept here, not imported from the server, so the bundle stays browser-only. */
export type Role = 'readonly' | 'operator' | 'manager' | 'owner';
export const ROLES: Role[] = ['readonly', 'operator', 'manager', 'owner'];
export const roleAtLeast = (role: Role, minimum: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(minimum);

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

export interface Run {
  id: string;
  tenantId: string;
  type: string;
  label: string;
  status: 'queued' | 'running' | 'completed';
  outcome: 'pending' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';
  input?: Record<string, unknown>;
  initiator: { userId: string | null; name: string };
  surface: string;
  summaryCounts: Record<string, number>;
  failures?: Array<{ code: string; message: string; itemId?: string }>;
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
}

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
