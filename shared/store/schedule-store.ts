/**
 * Backup schedules and their run history (§5 backup-schedules, §8 the tick).
 *
 * An enabled schedule carries the sparse byLookup pair SCHEDULE_DUE / <nextRunAt>#<tenant>#<id>, so
 * the tick reads only due schedules (one Query, never a Scan). The tick claims a due time by moving
 * `nextRunAt` forward with the condition `nextRunAt = :seen`: of two overlapping ticks exactly one
 * wins a given due time.
 *
 *   tick A: read due(T) ──claim T→T'✓──▶ start run
 *   tick B: read due(T) ────────claim T→T'✗ (nextRunAt is T' now) ──▶ nothing started
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Category } from '../runs/catalog.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { INDEXES, keys, tenantPk } from './keys.js';
import type { CompanionPut, Page } from './run-store.js';
import { tableName } from './table.js';

export interface ScheduleSkip {
  at: string;
  reason: 'already_running' | 'start_failed' | 'not_found';
  /** the run that was already active (already_running) or the failed start's run */
  runId: string | null;
  scheduledFor: string;
}

export interface BackupSchedule {
  id: string;
  tenantId: string;
  name: string;
  /** 5 fields, UTC */
  cron: string;
  /** null: all categories */
  categories: Category[] | null;
  keepLast: number;
  enabled: boolean;
  /** null while disabled */
  nextRunAt: string | null;
  lastRunId: string | null;
  lastSkip: ScheduleSkip | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type ScheduleRunStatus = 'queued' | 'running' | 'succeeded' | 'partially_succeeded' | 'failed';

/** One entry of a schedule's history: a run_now or retry run and what it did. */
export interface ScheduleRun {
  tenantId: string;
  scheduleId: string;
  runId: string;
  type: 'backup_schedule.run_now' | 'backup_schedule.retry';
  /** the due time a tick started it for; null for manual runs */
  scheduledFor: string | null;
  status: ScheduleRunStatus;
  backupSetId: string;
  /** retry only: the run whose failed items it re-attempts */
  retryOfRunId: string | null;
  /**
   * Every item that failed, as `<category>/<policyId>` (`<category>/*` when listing the category
   * failed). The run's own `failures` keep only 50; retry needs them all.
   */
  failedItems: string[];
  createdAt: string;
  completedAt: string | null;
}

const scheduleFrom = (o: Record<string, any>): BackupSchedule => ({
  id: o.id, tenantId: o.tenantId, name: o.name, cron: o.cron, categories: o.categories ?? null, keepLast: o.keepLast, enabled: o.enabled === true,
  nextRunAt: o.nextRunAt ?? null, lastRunId: o.lastRunId ?? null, lastSkip: o.lastSkip ?? null, createdAt: o.createdAt, updatedAt: o.updatedAt, version: o.version ?? 1,
});

const scheduleRunFrom = (o: Record<string, any>): ScheduleRun => ({
  tenantId: o.tenantId, scheduleId: o.scheduleId, runId: o.runId, type: o.type, scheduledFor: o.scheduledFor ?? null, status: o.status,
  backupSetId: o.backupSetId, retryOfRunId: o.retryOfRunId ?? null, failedItems: o.failedItems ? [...(o.failedItems as Set<string>)].sort() : [],
  createdAt: o.createdAt, completedAt: o.completedAt ?? null,
});

function scheduleItem(s: BackupSchedule): Record<string, unknown> {
  return {
    ...keys.schedule(s.tenantId, s.id),
    kind: 'backupSchedule',
    // Sparse: a disabled schedule is not in the due index at all.
    ...(s.enabled && s.nextRunAt ? keys.scheduleDueLookup(s.tenantId, s.id, s.nextRunAt) : {}),
    ...s,
  };
}

const isConditionFailure = (err: unknown) => err instanceof ConditionalCheckFailedException;

/** The schedule was changed by someone else since it was read. */
export class ScheduleVersionConflictError extends Error {
  constructor(readonly scheduleId: string) {
    super(`schedule ${scheduleId} changed concurrently`);
    this.name = 'ScheduleVersionConflictError';
  }
}

export interface DueSchedule {
  tenantId: string;
  scheduleId: string;
  nextRunAt: string;
}

export class ScheduleStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  /** Creates a schedule; false when one with that id exists (the seed relies on this being idempotent). */
  async create(s: BackupSchedule): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.table, Item: scheduleItem(s), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async get(tenantId: string, scheduleId: string): Promise<BackupSchedule | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.schedule(tenantId, scheduleId), ConsistentRead: true }));
    return out.Item?.kind === 'backupSchedule' ? scheduleFrom(out.Item) : null;
  }

  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<BackupSchedule>> {
    const scope = `schedules:${tenantId}`;
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.schedulePrefix },
      Limit: limit,
      ExclusiveStartKey: decodeCursor(scope, cursor),
    }));
    return { items: (out.Items ?? []).map(scheduleFrom), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }

  /** Replaces `prev` with `next` if nobody wrote it since (`version`); the tick's claims bump it too. */
  async save(prev: BackupSchedule, next: BackupSchedule): Promise<void> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: scheduleItem({ ...next, version: prev.version + 1 }),
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': prev.version },
      }));
    } catch (err) {
      if (isConditionFailure(err)) throw new ScheduleVersionConflictError(prev.id);
      throw err;
    }
  }

  async delete(tenantId: string, scheduleId: string): Promise<boolean> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.schedule(tenantId, scheduleId), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Enabled schedules whose nextRunAt ≤ now, across tenants, oldest due first (one Query per page). */
  async listDue(now: string, limit = 100, startKey?: Record<string, any>): Promise<{ items: DueSchedule[]; lastKey: Record<string, any> | undefined }> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      IndexName: 'byLookup',
      // '~' sorts after '#', so every entry due exactly at `now` is included.
      KeyConditionExpression: '#pk = :pk AND #sk <= :upTo',
      ExpressionAttributeNames: { '#pk': INDEXES.byLookup.partitionKey, '#sk': INDEXES.byLookup.sortKey },
      ExpressionAttributeValues: { ':pk': keys.scheduleDuePk, ':upTo': `${now}~` },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }));
    return {
      items: (out.Items ?? []).map((o) => ({ tenantId: o.tenantId, scheduleId: o.id, nextRunAt: o.nextRunAt })),
      lastKey: out.LastEvaluatedKey,
    };
  }

  /**
   * Claims the due time `seen` by moving nextRunAt to `next`. False when another tick (or an edit)
   * moved it first, or the schedule was disabled or deleted: then this tick must not start a run.
   */
  async claimDue(tenantId: string, scheduleId: string, seen: string, next: string, now: string): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.schedule(tenantId, scheduleId),
        UpdateExpression: 'SET nextRunAt = :next, lookupSk = :sk, updatedAt = :now, #v = #v + :one',
        ConditionExpression: 'nextRunAt = :seen AND enabled = :true',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: {
          ':next': next, ':seen': seen, ':true': true, ':one': 1, ':now': now,
          ':sk': keys.scheduleDueLookup(tenantId, scheduleId, next).lookupSk,
        },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async recordSkip(tenantId: string, scheduleId: string, skip: ScheduleSkip): Promise<void> {
    await this.updateIfExists(tenantId, scheduleId, 'SET lastSkip = :skip', { ':skip': skip });
  }

  /** Points the schedule at its newest run (ULIDs order by time, so an older run never overwrites a newer one). */
  async recordLastRun(tenantId: string, scheduleId: string, runId: string): Promise<void> {
    await this.updateIfExists(tenantId, scheduleId, 'SET lastRunId = :id', { ':id': runId }, 'attribute_not_exists(lastRunId) OR lastRunId = :null OR lastRunId < :id', { ':null': null });
  }

  private async updateIfExists(tenantId: string, scheduleId: string, update: string, values: Record<string, unknown>, extraCondition?: string, extraValues: Record<string, unknown> = {}) {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.table,
        Key: keys.schedule(tenantId, scheduleId),
        UpdateExpression: update,
        ConditionExpression: `attribute_exists(pk)${extraCondition ? ` AND (${extraCondition})` : ''}`,
        ExpressionAttributeValues: { ...values, ...extraValues },
      }));
    } catch (err) {
      // A deleted schedule, or a newer run already recorded: nothing to do.
      if (!isConditionFailure(err)) throw err;
    }
  }

  // ── run history ──

  /** The history entry's Put, committed in the same transaction as its canonical run. */
  scheduleRunPut(r: ScheduleRun): CompanionPut {
    const { failedItems, ...rest } = r;
    return {
      Item: { ...keys.scheduleRun(r.tenantId, r.scheduleId, r.runId), kind: 'scheduleRun', ...rest, ...(failedItems.length ? { failedItems: new Set(failedItems) } : {}) },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async getScheduleRun(tenantId: string, scheduleId: string, runId: string): Promise<ScheduleRun | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.scheduleRun(tenantId, scheduleId, runId), ConsistentRead: true }));
    return out.Item?.kind === 'scheduleRun' ? scheduleRunFrom(out.Item) : null;
  }

  async history(tenantId: string, scheduleId: string, limit = 10): Promise<ScheduleRun[]> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.scheduleRunPrefix(scheduleId) },
      ScanIndexForward: false,
      Limit: limit,
    }));
    return (out.Items ?? []).map(scheduleRunFrom);
  }

  /** Adds failed items (a string set: a redone chunk adds the same ones again, harmlessly). */
  async addFailedItems(tenantId: string, scheduleId: string, runId: string, items: string[]): Promise<void> {
    if (items.length === 0) return;
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: keys.scheduleRun(tenantId, scheduleId, runId),
      UpdateExpression: 'ADD failedItems :items',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':items': new Set(items) },
    }));
  }

  async setScheduleRunStatus(tenantId: string, scheduleId: string, runId: string, status: ScheduleRunStatus, completedAt: string | null): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: keys.scheduleRun(tenantId, scheduleId, runId),
      UpdateExpression: 'SET #s = :s, completedAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status, ':at': completedAt },
    }));
  }
}
