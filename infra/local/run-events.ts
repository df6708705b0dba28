/**
 * Run events locally (§6, §7, §10): DynamoDB Local's table stream → the stream relay → the real
 * stream-publisher handler → the in-process bus → the wiring's rule targets (the notifier). The
 * same handlers as in AWS; only the transports are emulated.
 */
import type { Context, DynamoDBRecord } from 'aws-lambda';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setEventPublisher } from '../../shared/events/deps.js';
import { STREAM_EVENT_PREFIXES, TABLE_KEYS } from '../../shared/store/keys.js';
import { EVENT_BUS_NAME, rules, secretSweeper, streamPublisher } from '../../shared/wiring.js';
import { isTenantProfileRecord } from '../../shared/tenants/secret-sweeper.js';
import { LocalEventBus, ruleTargets } from './event-bus.js';
import { lambdaContext } from './lambda-context.js';
import { startStreamRelay } from './stream-relay.js';

type LoadHandler = (entry: string) => Promise<(event: any, context: Context) => Promise<any>>;

export interface LocalRunEvents {
  bus: LocalEventBus;
  stop(): Promise<void>;
}

export async function startLocalRunEvents(opts: { root: string; dynamoEndpoint: string; tableName: string; loadHandler: LoadHandler; log: (line: string) => void }): Promise<LocalRunEvents> {
  const present = rules.filter((r) => existsSync(path.join(opts.root, r.entry)));
  const bus = new LocalEventBus(ruleTargets(present, opts.loadHandler, lambdaContext), { busName: EVENT_BUS_NAME, log: opts.log });
  setEventPublisher(bus);
  // Each consumer of the table's stream, with the same filter as its CDK event source.
  const relayTo = async (consumer: { entry: string; timeoutSeconds: number; batchSize: number }, name: string, filter: (r: DynamoDBRecord) => boolean) =>
    startStreamRelay({
      dynamoEndpoint: opts.dynamoEndpoint,
      tableName: opts.tableName,
      handler: await opts.loadHandler(consumer.entry),
      context: () => lambdaContext(name, consumer.timeoutSeconds),
      batchSize: consumer.batchSize,
      filter,
      log: opts.log,
    });
  // Only run items and audit entries reach the publisher.
  const relay = await relayTo(streamPublisher, 'stream-publisher', (r) => {
    const sk = String((r.dynamodb?.Keys as Record<string, { S?: string }> | undefined)?.[TABLE_KEYS.sortKey]?.S ?? '');
    return STREAM_EVENT_PREFIXES.some((p) => sk.startsWith(p));
  });
  // The second consumer (issue 19 follow-up): changes and removals of tenant profiles → superseded Graph credentials deleted.
  const sweeperRelay = await relayTo(secretSweeper, 'secret-sweeper', (r) => (r.eventName === 'MODIFY' || r.eventName === 'REMOVE') && isTenantProfileRecord(r));
  return {
    bus,
    async stop() {
      await sweeperRelay.stop();
      await relay.stop(); // first the source, then let the bus finish what it accepted
      await bus.stop();
      setEventPublisher(undefined);
    },
  };
}
