/** The port the stream publisher talks through; adapters: EventBridge (AWS) and the local in-process bus. */

/** One event for the bus, before the adapter gives it a transport shape. */
export interface BusEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  /** when the change happened (the stream record's time); the bus stamps "now" when absent */
  time?: Date;
}

export interface PublishResult {
  /** indexes (into the given list) of the events the bus did not accept; empty when all were */
  failedIndexes: number[];
}

export interface EventPublisher {
  /** Publishes the events; answers which ones failed. Throws when the call itself failed. */
  publish(events: BusEvent[]): Promise<PublishResult>;
}
