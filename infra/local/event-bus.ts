/**
 * The local EventBridge bus (§10): an EventPublisher that evaluates the wiring's rules' event
 * patterns and invokes each matching rule's target with an EventBridge-shaped event. Like
 * EventBridge, accepting an event and delivering it are separate: `publish` answers at once and
 * delivery happens in the background, retried with backoff when a target throws.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent, Context } from 'aws-lambda';
import type { BusEvent, EventPublisher, PublishResult } from '../../shared/events/ports.js';
import { matchesPattern, type EventPattern } from './event-pattern.js';

export interface LocalRuleTarget {
  name: string;
  pattern: EventPattern;
  invoke: (event: EventBridgeEvent<string, unknown>) => Promise<unknown>;
}

export interface LocalEventBusOptions {
  busName?: string;
  /** pauses between a target's tries; its length + 1 is the number of tries */
  retryDelaysMs?: number[];
  log?: (line: string) => void;
}

/** EventBridge refuses entries over 256 KiB; so does the local bus, so size bugs show up locally. */
const MAX_ENTRY_BYTES = 256 * 1024;

export class LocalEventBus implements EventPublisher {
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  /** every event accepted, newest last (for tests and debugging) */
  readonly accepted: Array<EventBridgeEvent<string, unknown>> = [];

  constructor(private readonly targets: LocalRuleTarget[], private readonly opts: LocalEventBusOptions = {}) {}

  async publish(events: BusEvent[]): Promise<PublishResult> {
    const failedIndexes: number[] = [];
    events.forEach((e, i) => {
      if (this.stopped || Buffer.byteLength(JSON.stringify(e.detail)) > MAX_ENTRY_BYTES) {
        failedIndexes.push(i);
        return;
      }
      const event: EventBridgeEvent<string, unknown> = {
        version: '0',
        id: randomUUID(),
        'detail-type': e.detailType,
        source: e.source,
        account: '000000000000',
        time: (e.time ?? new Date()).toISOString(),
        region: 'local',
        resources: [],
        detail: e.detail,
      };
      this.accepted.push(event);
      for (const target of this.targets) {
        if (matchesPattern(target.pattern, event as unknown as Record<string, unknown>)) this.track(this.deliver(target, event));
      }
    });
    return { failedIndexes };
  }

  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.drain();
  }

  private track(p: Promise<void>) {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(target: LocalRuleTarget, event: EventBridgeEvent<string, unknown>): Promise<void> {
    const delays = this.opts.retryDelaysMs ?? [100, 500, 2_000];
    for (let attempt = 0; ; attempt++) {
      try {
        await target.invoke(event);
        return;
      } catch (err) {
        if (attempt >= delays.length || this.stopped) {
          this.opts.log?.(`bus ${this.opts.busName ?? 'local'}: rule ${target.name} gave up on ${event['detail-type']} ${event.id}: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
  }
}

/** Rule targets from the wiring's rules, each invoking its (lazily loaded) handler like Lambda. */
export function ruleTargets(
  rules: Array<{ name: string; pattern: EventPattern; entry: string; timeoutSeconds?: number }>,
  loadHandler: (entry: string) => Promise<(event: unknown, context: Context) => Promise<unknown>>,
  context: (name: string, timeoutSeconds: number) => Context,
): LocalRuleTarget[] {
  return rules.map((rule) => {
    let handler: ((event: unknown, context: Context) => Promise<unknown>) | undefined;
    return {
      name: rule.name,
      pattern: rule.pattern,
      invoke: async (event) => {
        handler ??= await loadHandler(rule.entry);
        return handler(event, context(rule.name, rule.timeoutSeconds ?? 30));
      },
    };
  });
}
