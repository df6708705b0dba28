/**
 * graph.connection_check (issue 19): "Check Graph connection" — can the tenant's app registration
 * sign in, read the organization, and list each policy category? Started by creating a tenant, by
 * rotating its credential (`credential: "pending"`: the check uses the rotated credential, which
 * becomes current only if it passes), or by hand.
 *
 * Minimum role: manager. The check only reads, but it is about the tenant's Graph connection — its
 * app registration, consent and credential — which managers and owners look after (restores are
 * manager too); an operator runs the syncs that the check's result explains. Rotating the credential
 * itself is owner-only (PUT /tenants/{t}/graph-credential).
 *
 * Domain records:
 *   connectionCheck  TENANT#t / CONNCHECK#<runId>  the run row, with the result per category once done (run's TTL)
 *   tenant           TENANT#t / PROFILE            `lastConnectionCheck` (the newest check's result, for GET /tenants),
 *                                                  and for a rotation: `pendingCredential` → `graph.secretRef` when the
 *                                                  check succeeded or partially succeeded (the credential signed in),
 *                                                  dropped when it failed or was cancelled — in the check's terminal transaction
 */
import * as z from '../zod.js';
import { CATEGORIES } from '../runs/catalog.js';
import { PreconditionFailedError } from '../runs/errors.js';
import type { Run } from '../runs/model.js';
import type { CompanionUpdate } from '../runs/ports.js';
import type { CategoryCheck, ConnectionCheckSummary } from '../store/directory-store.js';
import type { Stores } from '../store/stores.js';
import { keys } from '../store/keys.js';
import { domainStatusOf, followRun, newRunRowPut } from '../store/run-rows.js';
import { defineStart, type DomainRecords } from './module.js';

/** What the check reads, in order: the organization, then one page of each category. */
export const CHECKED_ITEMS = ['organization', ...CATEGORIES] as const;
export type CheckedItem = (typeof CHECKED_ITEMS)[number];

export interface ConnectionCheckContext {
  credential: 'current' | 'pending';
  /** the rotated credential's ref this check tests (credential: pending) */
  pendingSecretRef?: string;
}

const contextOf = (run: Run) => run.context as unknown as ConnectionCheckContext;
const PASSED = new Set(['succeeded', 'partially_succeeded']);

/** Per item: the failure the run recorded for it, else readable if the check got through, else not checked. Pure. */
export function categoryResults(run: Run): Record<CheckedItem, CategoryCheck> {
  const failed = new Map(run.failures.flatMap((f) => (f.itemId ? [[f.itemId, f.code] as const] : [])));
  const gotThrough = run.status === 'completed' && (PASSED.has(run.outcome) || (run.summaryCounts.processed ?? 0) > 0);
  return Object.fromEntries(CHECKED_ITEMS.map((item) => {
    const code = failed.get(item);
    const result: CategoryCheck = code === 'graph_permission_missing' ? 'missing_permission' : code ? 'unavailable' : gotThrough ? 'readable' : 'not_checked';
    return [item, result];
  })) as Record<CheckedItem, CategoryCheck>;
}

/** The tenant profile's update: the newest check's summary and, for a rotation that finished, the pending credential's fate. */
function profileUpdate(run: Run): CompanionUpdate {
  const ctx = contextOf(run);
  const summary: ConnectionCheckSummary = {
    runId: run.id, status: domainStatusOf(run), completedAt: run.completedAt, usedPendingCredential: ctx.credential === 'pending',
    categories: run.status === 'completed' ? categoryResults(run) : {},
  };
  const sets = ['lastConnectionCheck = :lc'];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ':lc': summary };
  let condition: string;
  if (ctx.credential === 'pending' && ctx.pendingSecretRef) {
    // Only the credential this run tested is ever promoted or dropped (a newer rotation replaced it: the row is left alone).
    condition = 'attribute_exists(pk) AND pendingCredential.secretRef = :ref';
    values[':ref'] = ctx.pendingSecretRef;
    if (run.status === 'completed') {
      removes.push('pendingCredential');
      if (PASSED.has(run.outcome)) sets.push('graph.secretRef = :ref', 'graphCredential = pendingCredential.credential');
    }
  } else {
    // An older check finishing late never overwrites a newer one's result (ULIDs order by time).
    condition = 'attribute_exists(pk) AND (attribute_not_exists(lastConnectionCheck) OR lastConnectionCheck.runId <= :rid)';
    values[':rid'] = run.id;
  }
  return {
    name: 'tenant',
    Update: {
      Key: keys.tenant(run.tenantId),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    },
  };
}

/** The check's run row, and once done its per-item result. */
function rowUpdate(run: Run): CompanionUpdate {
  const u = followRun('connectionCheck', keys.connectionCheck(run.tenantId, run.id), run, { counts: true });
  if (run.status !== 'completed') return u;
  return { ...u, Update: { ...u.Update, UpdateExpression: `${u.Update.UpdateExpression}, categories = :cat`, ExpressionAttributeValues: { ...u.Update.ExpressionAttributeValues, ':cat': categoryResults(run) } } };
}

export const connectionCheckRecords: DomainRecords = {
  rows: [
    { kind: 'connectionCheck', key: 'TENANT#t / CONNCHECK#<runId>', retention: 'run' },
    { kind: 'tenant', key: 'TENANT#t / PROFILE (lastConnectionCheck; pendingCredential → graph.secretRef)', retention: 'subject' },
  ],
  project: (run) => [rowUpdate(run), profileUpdate(run)],
};

const noConnection = () =>
  new PreconditionFailedError('This tenant has no Graph connection to check; a platform admin connects it (POST /tenants).', [{ path: 'tenantId', message: 'no Graph settings' }]);

export const graphConnectionCheckStart = defineStart({
  definition: {
    type: 'graph.connection_check',
    label: 'Check Graph connection',
    minimumRole: 'manager',
    schema: z.strictObject({ credential: z.optional(z.enum(['current', 'pending'])) }),
    // A check of the current credential and one of a rotated credential are different runs.
    identity: (i) => ({ credential: i.credential ?? 'current' }),
  },
  plan: (tenantId, input, deps) => planConnectionCheck(tenantId, input, deps),
  records: connectionCheckRecords,
});

/**
 * The check's start plan. It reads the directory only, so the tenant routes that start a check
 * (POST /tenants, PUT …/graph-credential) give it that store alone and bundle no other.
 */
export async function planConnectionCheck(tenantId: string, input: { credential?: 'current' | 'pending' }, deps: { stores: Pick<Stores, 'directory'> }) {
  const tenant = await deps.stores.directory.getTenant(tenantId, { consistent: true });
  if (!tenant?.graph) throw noConnection();
  let context: ConnectionCheckContext = { credential: 'current' };
  if (input.credential === 'pending') {
    if (!tenant.pendingCredential) {
      throw new PreconditionFailedError('This tenant has no rotated credential waiting for a check (PUT /tenants/{tenantId}/graph-credential).', [{ path: 'input.credential', message: 'no pending credential' }]);
    }
    context = { credential: 'pending', pendingSecretRef: tenant.pendingCredential.secretRef };
  }
  return {
    context: { ...context },
    companions: (run: Run) => [newRunRowPut(keys.connectionCheck(tenantId, run.id), 'connectionCheck', run, { credential: context.credential })],
  };
}
