/**
 * Cost per 1 M runs and per 1,000 items processed (issue 16, item 7), from the write and read units
 * the capacity bench measures and the calls each run makes, at the list prices in docs/COST.md.
 * `BENCH_ONLY=cost npm run bench` prints it.
 */
import { capacityBench } from './capacity-bench.js';
import { fmt } from './harness.js';

/** us-east-1 list prices, USD (sources and dates: docs/COST.md). */
export const PRICES = {
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  // arm64 (every function is Graviton): $0.0000133334 per GB-s, first tier, us-east-1
  lambdaGbSecond: 0.0000133334,
  eventBridgeEvent: 1.0 / 1e6,
  cloudWatchLogsGb: 0.5,
};

/** What one run does besides its own writes (counted from the code paths; see docs/COST.md). */
export const PER_RUN = {
  sqsRequests: 3, // SendMessage + the event source's ReceiveMessage and DeleteMessage (batched: at most this)
  events: 3, // OperationRun Queued / Started / Completed
  notifierWriteUnits: 4, // one notification per (run, completed): a 2-item transaction of < 1 KB items
  lambda: [
    { fn: 'start-run (API)', invocations: 1, seconds: 0.1, gb: 1 },
    { fn: 'run-worker', invocations: 1, seconds: 0, gb: 1 }, // + per item, below
    { fn: 'stream-publisher', invocations: 3, seconds: 0.05, gb: 0.5 },
    { fn: 'notifier', invocations: 3, seconds: 0.1, gb: 0.5 },
  ],
  logBytes: 4_000, // EMF metric lines and the run's log lines
};
export const PER_1000_ITEMS = { checkpoints: 10, workerSeconds: 10, workerGb: 1 };

export async function costBench(svc: { dynamoEndpoint: string }) {
  const units = (await capacityBench(svc)).small;
  const runWrites = units.start.total + units.claim.total + units.complete.total;
  const runReads = units.claim.reads + units.complete.reads;
  const perRun = {
    dynamo: (runWrites + PER_RUN.notifierWriteUnits) * PRICES.dynamoWriteRequestUnit + runReads * PRICES.dynamoReadRequestUnit,
    sqs: PER_RUN.sqsRequests * PRICES.sqsRequest,
    lambda: PER_RUN.lambda.reduce((c, l) => c + l.invocations * (PRICES.lambdaRequest + l.seconds * l.gb * PRICES.lambdaGbSecond), 0),
    events: PER_RUN.events * PRICES.eventBridgeEvent,
    logs: (PER_RUN.logBytes / 2 ** 30) * PRICES.cloudWatchLogsGb,
  };
  const perThousandItems = {
    dynamo: PER_1000_ITEMS.checkpoints * (units.checkpoint.total * PRICES.dynamoWriteRequestUnit + units.checkpoint.reads * PRICES.dynamoReadRequestUnit),
    lambda: PER_1000_ITEMS.workerSeconds * PER_1000_ITEMS.workerGb * PRICES.lambdaGbSecond,
  };
  const total = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  console.log(`\n## Cost — \`BENCH_ONLY=cost npm run bench\` (us-east-1 list prices, docs/COST.md)\n`);
  console.log('| per 1 M runs (bookkeeping, no items) | USD |');
  console.log('| --- | --- |');
  for (const [k, v] of Object.entries(perRun)) console.log(`| ${k} | ${fmt(v * 1e6, 2)} |`);
  console.log(`| **total** | **${fmt(total(perRun) * 1e6, 2)}** |`);
  console.log(`\nper 1,000 items processed: DynamoDB ${fmt(perThousandItems.dynamo * 1e6, 2)} + Lambda ${fmt(perThousandItems.lambda * 1e6, 2)} = **${fmt(total(perThousandItems) * 1e6, 2)} USD per 1 M × 1,000 items** (${fmt(total(perThousandItems), 6)} USD per 1,000 items)`);
  console.log(`(measured units: start ${units.start.total}, claim ${units.claim.total}, checkpoint ${units.checkpoint.total}, complete ${units.complete.total} WRU)`);
  return { perRun, perThousandItems };
}
