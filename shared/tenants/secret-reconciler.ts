/**
 * The orphan reconciler (issue 19 follow-up): the net for what the request path cannot clean up —
 * a Lambda that dies (timeout, crash) between writing a tenant's Graph credential secret and the
 * table write that names it. Such a secret is live, holds a credential and is named by no tenant.
 *
 * On its schedule (shared/wiring.ts, hourly) it lists the secrets under the product's prefix
 * (`<GRAPH_SECRET_PREFIX><tenant>/<ulid>`: the name says whose it is) and deletes each one older
 * than the grace period (GRAPH_SECRET_ORPHAN_GRACE_MINUTES, default 60) unless its tenant's
 * profile, read strongly consistent, names it (credential-secrets.ts `deleteUnreferenced`, the rule
 * the sweeper and the request path use). The grace period keeps it away from a request still
 * between its two writes (an API function times out after seconds) and from ListSecrets' eventual
 * consistency ("ListSecrets might not reflect changes from the last five minutes", API reference).
 *
 * A secret whose name does not parse as `<tenant>/<stamp>` under the prefix is never deleted (it
 * is not one the product wrote). A failure on one secret is logged and the next is tried; whatever
 * a run leaves, the next run finds again.
 *
 * Every run emits OrphanSecretsDeleted and OrphanSecretsFailed (0 included), also when the listing
 * throws half-way: ops see each run on the dashboard, and the SecretReconcilerFailures alarm
 * (infra/constructs/observability.ts) pages when a secret could not be checked or deleted — a live
 * credential nobody names that keeps costing money until a run succeeds.
 */
import type { SecretLister } from '../graph/secret-lister.js';
import { logger } from '../observability/logger.js';
import { MetricNames, metrics, type MetricSink } from '../observability/metrics.js';
import { type CredentialSecretDeps, deleteUnreferenced } from './credential-secrets.js';

export interface SecretReconcilerDeps extends CredentialSecretDeps {
  lister: SecretLister;
  /** GRAPH_SECRET_PREFIX: the only names looked at */
  prefix: string;
  /** secrets younger than this are left alone */
  graceMs: number;
  now: Date;
  /** stop looking at further secrets once this answers false (the Lambda's time is running out) */
  keepGoing?: () => boolean;
  /** where the run's counts go (default: CloudWatch, through Powertools Metrics) */
  metrics?: Pick<MetricSink, 'count'>;
}

export interface ReconcileResult {
  /** secrets under the prefix looked at */
  examined: number;
  /** deleted: older than the grace period and named by no tenant */
  deleted: string[];
  /** left alone: younger than the grace period */
  young: number;
  /** left alone: their tenant names them */
  referenced: number;
  /** left alone: a name that is not `<prefix><tenant>/<stamp>` */
  foreign: number;
  /** could not be decided or deleted this time (logged; the next run tries again) */
  failed: number;
  /** the run stopped before the end of the list (time) */
  stoppedEarly: boolean;
}

/** `<prefix><tenant>/<stamp>` → the tenant id; anything else → undefined. */
export function tenantOfSecretName(name: string, prefix: string): string | undefined {
  if (!name.startsWith(prefix)) return undefined;
  return /^([^/]+)\/[^/]+$/.exec(name.slice(prefix.length))?.[1];
}

/** Deletes the credential secrets under the prefix that are older than the grace period and that no tenant names. */
export async function reconcileGraphSecrets(deps: SecretReconcilerDeps): Promise<ReconcileResult> {
  const result: ReconcileResult = { examined: 0, deleted: [], young: 0, referenced: 0, foreign: 0, failed: 0, stoppedEarly: false };
  const bornBefore = deps.now.getTime() - deps.graceMs;
  try {
    await reconcileListed(deps, bornBefore, result);
  } finally {
    // In `finally`: a listing that throws half-way still reports what it deleted and failed before
    // (the throw itself is the function's Errors metric, alarmed as SecretReconcilerErrors).
    const sink = deps.metrics ?? metrics;
    sink.count(MetricNames.orphanSecretsDeleted, {}, result.deleted.length);
    sink.count(MetricNames.orphanSecretsFailed, {}, result.failed);
  }
  logger.info('orphaned Graph credentials reconciled', { ...result, deleted: result.deleted.length });
  return result;
}

async function reconcileListed(deps: SecretReconcilerDeps, bornBefore: number, result: ReconcileResult): Promise<void> {
  for await (const secret of deps.lister.list(deps.prefix)) {
    if (deps.keepGoing && !deps.keepGoing()) {
      result.stoppedEarly = true;
      break;
    }
    // ListSecrets' name filter is a case-sensitive prefix match already; a name outside it is never ours.
    if (!secret.name.startsWith(deps.prefix)) continue;
    result.examined++;
    if (secret.createdAt.getTime() > bornBefore) {
      result.young++;
      continue;
    }
    const tenantId = tenantOfSecretName(secret.name, deps.prefix);
    if (!tenantId) {
      result.foreign++;
      continue;
    }
    try {
      const deleted = await deleteUnreferenced(deps, tenantId, [{ ref: secret.ref, name: secret.name }]);
      if (deleted.length === 0) {
        result.referenced++;
        continue;
      }
      result.deleted.push(secret.ref);
      logger.info('deleted an orphaned Graph credential (no tenant names it)', { tenantId, ref: secret.ref, createdAt: secret.createdAt.toISOString() });
    } catch (err) {
      result.failed++;
      logger.error('an orphaned Graph credential could not be checked or deleted; the next run tries again', { tenantId, ref: secret.ref, error: err as Error });
    }
  }
}
