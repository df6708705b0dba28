/** The EventPublisher on Amazon EventBridge (PutEvents, at most 10 entries per call). */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { BusEvent, EventPublisher, PublishResult } from './ports.js';
import { traced } from '../observability/tracer.js';

const MAX_ENTRIES_PER_CALL = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly client: EventBridgeClient, private readonly busName: string) {}

  async publish(events: BusEvent[]): Promise<PublishResult> {
    const failedIndexes: number[] = [];
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const chunk = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      let out;
      try {
        out = await this.client.send(
          new PutEventsCommand({
            Entries: chunk.map((e) => ({
              EventBusName: this.busName,
              Source: e.source,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              Time: e.time,
            })),
          }),
        );
      } catch (err) {
        // Nothing of this chunk was sent; earlier chunks were. Only the first chunk may throw through.
        if (start === 0) throw err;
        for (let i = start; i < events.length; i++) failedIndexes.push(i);
        return { failedIndexes };
      }
      if (!out.FailedEntryCount) continue;
      const entries = out.Entries ?? [];
      const marked = chunk.map((_, i) => i).filter((i) => entries[i]?.ErrorCode || !entries[i]?.EventId);
      // A failure count without per-entry detail: trust the count's meaning, resend the whole chunk.
      for (const i of marked.length > 0 ? marked : chunk.map((_, j) => j)) failedIndexes.push(start + i);
    }
    return { failedIndexes };
  }
}

let shared: EventBridgeClient | undefined;
/** The process-wide client (a Lambda container reuses it across invocations). */
export const sharedEventBridgeClient = () => (shared ??= traced(new EventBridgeClient({})));
