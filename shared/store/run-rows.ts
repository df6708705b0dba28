/**
 * Domain run rows (issue 14): every operation type keeps, next to the canonical run, its domain's own
 * row for that run — sync history, the drift report, the backup set's add row, the schedule run row,
 * the restore record. A row is written in the run's start transaction (a companion Put) and moved by
 * the type's projection in the transaction of every status change of its run (claim → running, any
 * completion → the run's outcome + completedAt). See docs/ARCHITECTURE.md, "Domain records".
 *
 * Rows carry the run's TTL (`expiresAt`, epoch seconds): a row describes one run and is no use
 * once the run itself is gone.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Run } from '../runs/model.js';
import type { CompanionPut, CompanionUpdate } from '../runs/ports.js';
import { epochSeconds } from './conditions.js';
import { keys, tenantPk } from './keys.js';
import { TableClient, type Page } from './table-client.js';
import { tableName } from './table.js';

/** A domain row's status: the run's status while it is active, its outcome once it is completed. */
export type DomainRunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed' | 'cancelled';
export const DOMAIN_RUN_STATUSES = ['queued', 'running', 'succeeded', 'partially_succeeded', 'failed', 'cancelled'] as const;
export const FINISHED_STATUSES: readonly DomainRunStatus[] = ['succeeded', 'partially_succeeded', 'failed', 'cancelled'];

export function domainStatusOf(run: Pick<Run, 'status' | 'outcome'>): DomainRunStatus {
  if (run.status !== 'completed') return run.status;
  return run.outcome === 'pending' ? 'failed' : run.outcome;
}

type Key = { pk: string; sk: string };

/** The fields every run row starts with (its run's own, at creation). */
export const runRowFields = (run: Run) => ({
  tenantId: run.tenantId,
  runId: run.id,
  type: run.type,
  status: 'queued' as DomainRunStatus,
  createdAt: run.createdAt,
  startedAt: null as string | null,
  completedAt: null as string | null,
  expiresAt: epochSeconds(run.expiresAt),
});

/** A new run row's Put for the start transaction: it exists exactly when its run does. */
export function newRunRowPut(key: Key, kind: string, run: Run, extra: Record<string, unknown> = {}): CompanionPut {
  return { Item: { ...key, kind, ...runRowFields(run), ...extra }, ConditionExpression: 'attribute_not_exists(pk)' };
}

/**
 * The update that makes a row follow its run: `status`, `startedAt`, `completedAt` (and `counts`
 * when asked, a snapshot of the run's summary counts — a bounded map). Conditional on the row
 * existing, so a deleted row is never resurrected as a stub (the run service then drops it).
 */
export function followRun(name: string, key: Key, run: Run, opts: { counts?: boolean; status?: string } = {}): CompanionUpdate {
  const sets = ['#s = :s', 'startedAt = :st', 'completedAt = :at'];
  const values: Record<string, unknown> = { ':s': opts.status ?? domainStatusOf(run), ':st': run.startedAt, ':at': run.completedAt };
  if (opts.counts) {
    sets.push('summaryCounts = :c', 'failureCount = :f');
    values[':c'] = run.summaryCounts;
    values[':f'] = run.failureCount;
  }
  return {
    name,
    Update: {
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

/** The sync domains that keep a sync history. */
export type SyncDomain = 'inventory' | 'policies' | 'groups';

export interface DomainRunRow {
  kind: string;
  tenantId: string;
  runId: string;
  type: string;
  status: DomainRunStatus;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  summaryCounts?: Record<string, number>;
  failureCount?: number;
  [extra: string]: unknown;
}

const rowFrom = (o: Record<string, any>): DomainRunRow => {
  const { pk: _pk, sk: _sk, expiresAt: _e, ...rest } = o;
  return { ...rest, startedAt: o.startedAt ?? null, completedAt: o.completedAt ?? null } as DomainRunRow;
};

/** Reads of the generic run rows (sync history, drift reports, backup-set adds). */
export class RunRowStore {
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName(), private readonly clock: () => Date = () => new Date()) {
    this.t = new TableClient(doc, table);
  }

  async get(key: Key): Promise<DomainRunRow | null> {
    const row = await this.t.get(key, { consistent: true, map: (o) => o });
    // TTL deletes lag expiry (DynamoDB deletes expired items "typically within a few days" — developer
    // guide, Time to Live; until then they "show up in reads"), so an expired row is hidden here at once.
    if (!row || (typeof row.expiresAt === 'number' && row.expiresAt * 1000 <= this.clock().getTime())) return null;
    return rowFrom(row);
  }

  /** A domain's sync history, newest first (run ids are ULIDs). */
  async syncHistory(tenantId: string, domain: SyncDomain, limit: number, cursor?: string): Promise<Page<DomainRunRow>> {
    const now = Math.floor(this.clock().getTime() / 1000);
    return this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.syncRunPrefix(domain) } },
      filter: { expression: '#exp > :now', names: { '#exp': 'expiresAt' }, values: { ':now': now } },
      forward: false,
      limit,
      cursor: { scope: `sync-history:${tenantId}:${domain}`, value: cursor },
      map: rowFrom,
    });
  }
}
