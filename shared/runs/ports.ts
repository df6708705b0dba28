/** The ports the run service talks through; adapters live in shared/store and shared/queue. */
export interface WorkMessage {
  runId: string;
  tenantId: string;
  type: string;
  /** how many times this run was continued (re-enqueued by a worker running out of time) */
  continuation?: number;
}

export interface WorkQueue {
  send(message: WorkMessage, opts?: { delaySeconds?: number }): Promise<void>;
}
