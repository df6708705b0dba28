/**
 * Issue 16 item 2: the tick only finds due schedules and fans each out as one SQS message; the
 * schedule starter (Powertools batch, partial failures) claims each due time and starts the run.
 * Against DynamoDB Local and fauxqs: 1,000 due schedules of one minute across 50 tenants (20 each,
 * the default per-tenant limit) all start exactly once, although every schedule is sent twice (two
 * ticks before any starter ran) and the starters run concurrently as the event source would.
 */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { startPoller } from '../../infra/local/sqs-poller.js';
import { fanOutDueSchedules } from '../../shared/operations/backup-tick.js';
import { processScheduleBatch, SCHEDULE_MESSAGE_HANDLED, type ScheduleStartDeps } from '../../shared/operations/schedule-starts.js';
import { makeLogger } from '../../shared/observability/logger.js';
import { SqsScheduleQueue } from '../../shared/queue/sqs-schedule-queue.js';
import { DEFAULT_MAX_SCHEDULES_PER_TENANT } from '../../shared/settings.js';
import { makeStores } from '../../shared/store/stores.js';
import { queues, SCHEDULE_STARTER_MAX_CONCURRENCY } from '../../shared/wiring.js';
import { putSchedule } from '../support/backup-fixtures.js';
import { scheduleItem } from '../../shared/store/schedule-store.js';
import { TableClient } from '../../shared/store/table-client.js';
import { testEnv, uniqueName } from '../support/services.js';

const TENANTS = 50;
const DUE = '2026-01-01T02:00:00.000Z';

let env: Awaited<ReturnType<typeof testEnv>>;
let deps: ScheduleStartDeps;
let scheduleQueueUrl: string;
let scheduleDlqUrl: string;

beforeAll(async () => {
  env = await testEnv();
  const logger = makeLogger('schedule-fanout-test');
  logger.setLogLevel('ERROR');
  deps = { stores: makeStores({ doc: env.doc, table: env.table }), service: env.service, clock: () => new Date(), logger };
  // The schedule queue as the wiring declares it: redrive to its DLQ after maxReceiveCount.
  const base = uniqueName('schedule');
  scheduleDlqUrl = (await env.sqs.send(new CreateQueueCommand({ QueueName: `${base}-dlq` }))).QueueUrl!;
  const dlqArn = (await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: scheduleDlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  scheduleQueueUrl = (await env.sqs.send(new CreateQueueCommand({
    QueueName: base,
    Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queues.schedule.maxReceiveCount }) },
  }))).QueueUrl!;
});

const depth = async (url: string) => {
  const a = (await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
};

const record = (body: string, messageId = ulid()) => ({
  messageId, receiptHandle: messageId, body, attributes: { ApproximateReceiveCount: '1' } as never, messageAttributes: {},
  md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:schedule', awsRegion: 'us-east-1',
});

describe('the schedule fan-out', () => {
  it('starts 1,000 due schedules of one minute across 50 tenants exactly once, with every message duplicated', async () => {
    // 50 tenants × 20 schedules (the default per-tenant limit), batch-written: the setup is not under test.
    const tenants = Array.from({ length: TENANTS }, (_, i) => `fanout-${i}`);
    const byTenant = new Map(tenants.map((t) => [t, Array.from({ length: DEFAULT_MAX_SCHEDULES_PER_TENANT }, () => ulid())]));
    const created = new Date().toISOString();
    await new TableClient(env.doc, env.table).batchPut(tenants.flatMap((tenantId) => byTenant.get(tenantId)!.map((id) => scheduleItem({
      id, tenantId, name: `Schedule ${id}`, cron: '0 2 * * *', categories: ['deviceCompliancePolicies'], keepLast: 7, enabled: true,
      nextRunAt: DUE, lastRunId: null, lastSkip: null, createdAt: created, updatedAt: created, version: 1,
    }))));
    const total = TENANTS * DEFAULT_MAX_SCHEDULES_PER_TENANT;
    expect(total).toBe(1000);

    // Two ticks of the same minute before any starter ran: every schedule is sent twice.
    const queue = new SqsScheduleQueue(env.sqs, scheduleQueueUrl);
    const now = new Date();
    const ticks = [await fanOutDueSchedules({ stores: deps.stores, queue }, now, () => true), await fanOutDueSchedules({ stores: deps.stores, queue }, now, () => true)];
    expect(ticks).toEqual([{ enqueued: total, complete: true }, { enqueued: total, complete: true }]);
    // The tick writes nothing: every schedule is still due until its starter claims it.
    for (const tenantId of tenants.slice(0, 3)) {
      for (const id of byTenant.get(tenantId)!) expect((await deps.stores.schedules.get(tenantId, id))!.nextRunAt).toBe(DUE);
    }

    // The starters, as the event source runs them: batches of 10, at most the wiring's concurrency at once.
    const outcomes = { started: 0, duplicate: 0, other: 0, failedItems: 0 };
    const poller = startPoller({
      sqs: env.sqs, queueUrl: scheduleQueueUrl, queueArn: 'arn:aws:sqs:us-east-1:000000000000:schedule', batchSize: queues.schedule.batchSize,
      maxConcurrency: SCHEDULE_STARTER_MAX_CONCURRENCY, waitSeconds: 0,
      context: () => ({ getRemainingTimeInMillis: () => 30_000 }) as never,
      handler: async (event: SQSEvent) => {
        const res = await processScheduleBatch(event, {}, {
          ...deps,
          // count what each message came to, through the real starter
          logger: Object.assign(Object.create(deps.logger), {
            info: (msg: string, extra: { outcome?: string; reason?: string }) => {
              if (msg !== SCHEDULE_MESSAGE_HANDLED) return;
              if (extra.outcome === 'started') outcomes.started++;
              // the second message of a schedule: its due time was claimed (or already moved on)
              else if (extra.outcome === 'not_due' || extra.reason === 'already_claimed') outcomes.duplicate++;
              else outcomes.other++;
            },
          }),
        });
        outcomes.failedItems += res.batchItemFailures.length;
        return res;
      },
    });
    try {
      while (outcomes.started + outcomes.duplicate + outcomes.other < 2 * total || (await depth(scheduleQueueUrl)) > 0) {
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await poller.stop();
    }
    // Every schedule started once. At least one duplicate each (the second tick); SQS may deliver a
    // message again (a batch that outlived its visibility timeout), and the claim turns that away too.
    expect(outcomes).toEqual({ started: total, duplicate: expect.any(Number), other: 0, failedItems: 0 });
    expect(outcomes.duplicate).toBeGreaterThanOrEqual(total);
    expect(await depth(scheduleDlqUrl)).toBe(0);

    // Exactly one run per schedule, in every tenant; each schedule moved on to its next fire time.
    const runIds = new Set<string>();
    await Promise.all(tenants.map(async (tenantId) => {
      const runs = await env.store.listRuns(tenantId, { type: 'backup_schedule.run_now' }, 100);
      expect(runs.items, tenantId).toHaveLength(DEFAULT_MAX_SCHEDULES_PER_TENANT);
      for (const id of byTenant.get(tenantId)!) {
        const history = await deps.stores.schedules.history(tenantId, id);
        expect(history, id).toHaveLength(1);
        expect(history[0]).toMatchObject({ scheduledFor: DUE, status: 'queued' });
        const schedule = (await deps.stores.schedules.get(tenantId, id))!;
        expect(schedule.lastRunId).toBe(history[0].runId);
        expect(Date.parse(schedule.nextRunAt!)).toBeGreaterThan(now.getTime());
        runIds.add(history[0].runId);
      }
    }));
    expect(runIds.size).toBe(total);

    // A tick after the starts finds nothing due.
    expect(await fanOutDueSchedules({ stores: deps.stores, queue }, now, () => true)).toEqual({ enqueued: 0, complete: true });
  }, 420_000); // a budget for DynamoDB Local on a loaded machine (1,000 start transactions), not a speed claim

  it('stops paging when its time budget ends; what it left is still due and the next tick sends it', async () => {
    for (let i = 0; i < 3; i++) await putSchedule(env.doc, env.table, { id: ulid(), tenantId: 'budget', nextRunAt: DUE });
    const sent: string[] = [];
    const queue = { sendAll: async (m: { scheduleId: string }[]) => { sent.push(...m.map((x) => x.scheduleId)); } };
    expect(await fanOutDueSchedules({ stores: deps.stores, queue }, new Date(), () => false)).toEqual({ enqueued: 0, complete: false });
    expect(sent).toEqual([]);
    const next = await fanOutDueSchedules({ stores: deps.stores, queue }, new Date(), () => true);
    expect(next).toEqual({ enqueued: 3, complete: true });
  });

  it('reports only the message that failed (partial batch failure), and drops a malformed one', async () => {
    const ok = await putSchedule(env.doc, env.table, { id: ulid(), tenantId: 'partial', nextRunAt: DUE });
    const broken = { tenantId: 'partial', scheduleId: ulid(), scheduledFor: DUE };
    const schedules = Object.create(deps.stores.schedules);
    schedules.get = async (tenantId: string, id: string) => {
      if (id === broken.scheduleId) throw new Error('table unreachable');
      return deps.stores.schedules.get(tenantId, id);
    };
    const failing = { ...deps, stores: { ...deps.stores, schedules } };
    const bad = record(JSON.stringify(broken));
    const event: SQSEvent = { Records: [record(JSON.stringify({ tenantId: 'partial', scheduleId: ok.id, scheduledFor: DUE })), bad, record('{"not":"a schedule"}')] };
    const res = await processScheduleBatch(event, {}, failing);
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    expect((await deps.stores.schedules.history('partial', ok.id))).toHaveLength(1);
  });
});

