import { apiHandler } from '../../shared/http/api.js';
import { startRunRoute } from '../../shared/http/schemas.js';
import { CATALOG, planStart } from '../../shared/operations/catalog.js';
import { toApiRun, viewUrlOf, type Run } from '../../shared/runs/model.js';
import { actorOf, auditPut } from '../../shared/audit/audit.js';
import { DispatchFailedError } from '../../shared/runs/errors.js';
import { metrics, MetricNames } from '../../shared/observability/metrics.js';
import { useWorkQueue } from '../../shared/http/deps.js';
import { sqsWorkQueue } from '../../shared/http/work-queue.js';
import { planStores } from '../../shared/store/stores.js';
import { runService } from '../../shared/http/deps.js';

// Starting a run sends it to the work queue: this function (wiring access.sendWork) brings the SQS client.
useWorkQueue(sqsWorkQueue);

export const handler = apiHandler(startRunRoute, async (req) => {
  const { type, input, surface } = req.body;
  const def = CATALOG[type];
  req.requireRole(def.minimumRole, `start ${def.label}`);
  const plan = await planStart(type, req.tenantId, input, { stores: planStores(req.deps.stores), clock: req.deps.clock });
  // A restore is an administrative action (issue 19): its audit entry commits in the run's start
  // transaction, so a deduplicated or refused start records nothing.
  const companions = type !== 'restore.execute' ? plan.companions : (r: Run) => [
    ...(plan.companions?.(r) ?? []),
    auditPut({ tenantId: req.tenantId, actor: actorOf(req.user), action: 'restore.started', target: { type: 'run', id: r.id, label: r.label }, after: { input: r.input } }, req.deps.clock()),
  ];
  const { run, deduplicated } = await runService(req.deps)
    .startRun({ tenantId: req.tenantId, type, input, initiator: { userId: req.user.id, name: req.user.name }, surface, ...plan, companions })
    .catch((err: unknown) => {
      if (err instanceof DispatchFailedError) metrics.count(MetricNames.runsDispatchFailed);
      throw err;
    });
  metrics.count(deduplicated ? MetricNames.runsDeduplicated : MetricNames.runsStarted);
  const viewUrl = viewUrlOf(run.tenantId, run.id);
  return deduplicated
    ? { status: 200, body: { run: toApiRun(run), deduplicated: true, viewUrl } }
    : {
        status: 202,
        headers: { location: `/tenants/${encodeURIComponent(run.tenantId)}/runs/${encodeURIComponent(run.id)}` },
        body: { run: toApiRun(run), deduplicated: false, viewUrl },
      };
});
