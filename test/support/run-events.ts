/** Test helpers for run events: runs in memory, stream records from them, a recording publisher. */
import { CATALOG } from '../../shared/operations/catalog.js';
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { RunService, type StartRunRequest } from '../../shared/runs/service.js';
import type { Run } from '../../shared/runs/model.js';
import { toRunItem } from '../../shared/store/run-store.js';
import type { BusEvent, EventPublisher, PublishResult } from '../../shared/events/ports.js';

/** A run as the service would create it, without touching a store. */
export function aRun(overrides: Partial<StartRunRequest> = {}, now = new Date()): Run {
  const service = new RunService({ catalog: CATALOG, store: null as never, queue: null as never });
  return service.newRun(
    {
      tenantId: 'contoso',
      type: 'inventory.sync',
      input: { categories: ['deviceConfigurations'] },
      initiator: { userId: 'alice', name: 'Alice Admin' },
      surface: 'api',
      ...overrides,
    },
    now,
  );
}

/** A stream record of the write `before → after` (NEW_AND_OLD_IMAGES), as Lambda delivers it. */
export function streamRecord(sequence: string, before: Run | Record<string, unknown> | null, after: Run | Record<string, unknown> | null): DynamoDBRecord {
  const image = (x: Run | Record<string, unknown>) =>
    marshall('status' in x && 'identityHash' in x ? toRunItem(x as Run) : x, { removeUndefinedValues: true }) as never;
  return {
    eventID: `e-${sequence}`,
    eventName: !after ? 'REMOVE' : before ? 'MODIFY' : 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: sequence,
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      OldImage: before ? image(before) : undefined,
      NewImage: after ? image(after) : undefined,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** Records every event it accepts; can be told to refuse. */
export class RecordingPublisher implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(events: BusEvent[]): Promise<PublishResult> {
    this.events.push(...events);
    return { failedIndexes: [] };
  }
  forRun(runId: string) {
    return this.events.filter((e) => e.detail.runId === runId);
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
