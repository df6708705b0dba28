/**
 * Every hour (issue 19 follow-up): delete the tenants' Graph credential secrets that no tenant names
 * and that are older than GRAPH_SECRET_ORPHAN_GRACE_MINUTES — the ones a request left behind when its
 * Lambda died between the secret write and the table write (shared/tenants/secret-reconciler.ts).
 * Stops looking at further secrets RECONCILER_SAFETY_MARGIN_MS before its timeout; the next run goes on.
 */
import type { Context } from 'aws-lambda';
import { secretLister } from '../../shared/graph/secret-lister.js';
import { settings } from '../../shared/settings.js';
import { sharedDocumentClient } from '../../shared/store/clients.js';
import { directoryStore, storeSet } from '../../shared/store/stores.js';
import { credentialSecretDeps } from '../../shared/tenants/credential-secrets.js';
import { reconcileGraphSecrets, type ReconcileResult } from '../../shared/tenants/secret-reconciler.js';
import { RECONCILER_SAFETY_MARGIN_MS } from '../../shared/wiring.js';

export const handler = async (_event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ReconcileResult> => {
  const s = settings();
  const directory = directoryStore(storeSet({ doc: sharedDocumentClient(), table: s.tableName }));
  return reconcileGraphSecrets({
    ...credentialSecretDeps(directory),
    lister: secretLister(),
    prefix: s.graphSecretPrefix,
    graceMs: s.graphSecretOrphanGraceMinutes * 60_000,
    now: new Date(),
    keepGoing: () => context.getRemainingTimeInMillis() > RECONCILER_SAFETY_MARGIN_MS,
  });
};
