import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { apiHandler } from '../../shared/http/api.js';
import { cancelRunRoute } from '../../shared/http/schemas.js';
import { CATALOG, isOperationType } from '../../shared/operations/catalog.js';
import { toApiRun } from '../../shared/runs/model.js';
import { problems } from '../../shared/http/problem.js';
import { runService } from '../../shared/http/deps.js';

export const handler = apiHandler(cancelRunRoute, async (req) => {
  const run = await runService(req.deps).getRun(req.tenantId, req.params.runId);
  if (isOperationType(run.type)) req.requireRole(CATALOG[run.type].minimumRole, `cancel a ${CATALOG[run.type].label}`);
  if (run.status === 'completed') throw problems.conflict('The run has already completed.');
  const next = await runService(req.deps).apply(req.tenantId, run.id, { type: 'requestCancel' }, {
    current: run,
    // The audit entry commits with the cancel itself (issue 19): a cancel refused by the lifecycle records nothing.
    companions: (after) => [auditPut({
      tenantId: req.tenantId, actor: actorOf(req.user), action: 'run.cancelled', target: { type: 'run', id: run.id, label: run.label },
      before: { status: run.status }, after: { status: after.status, outcome: after.outcome, cancelRequested: after.cancelRequested },
    }, req.deps.clock())],
  });
  return { status: 202, body: { run: toApiRun(next!) } };
});
