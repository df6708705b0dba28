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
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Category } from '../runs/catalog.js';
import type { CompanionPut } from '../runs/ports.js';
import { INDEXES, keys, tenantPk } from './keys.js';
import type { DomainRunStatus } from './run-rows.js';
import { TableClient, versionCondition, type Item, type Key, type Page } from './table-client.js';
import { companionItem } from './run-store.js';
import { tableName } from './table.js';
import { settings } from '../settings.js';
import { ScheduleQuotaExceededError, VersionConflictError } from './errors.js';

export interface ScheduleSkip {
  at: string;
  /** quota: the tenant had MAX_ACTIVE_RUNS_PER_TENANT active runs (issue 16) */
  reason: 'already_running' | 'start_failed' | 'not_found' | 'quota';
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

/** failed-item rows per transaction, with the history row's count: 100 actions at most (TransactWriteItems) */
const FAILED_PER_TRANSACTION = 99;

/** A schedule run row's status follows its run (status while active, outcome once completed). */
export type ScheduleRunStatus = DomainRunStatus;

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
   * How many items failed. The items themselves are rows of their own (SCHEDRUNFAIL#…, read with
   * failedItemsPage), as `<category>/<policyId>` (`<category>/*` when listing the category failed):
   * the run's own `failures` keep only 50, retry needs them all, and a set on this row grew without bound.
   */
  failedItemCount: number;
  createdAt: string;
  completedAt: string | null;
  /** the run's TTL (epoch seconds): the row describes its run */
  expiresAt?: number;
}

const scheduleFrom = (o: Record<string, any>): BackupSchedule => ({
  id: o.id, tenantId: o.tenantId, name: o.name, cron: o.cron, categories: o.categories ?? null, keepLast: o.keepLast, enabled: o.enabled === true,
  nextRunAt: o.nextRunAt ?? null, lastRunId: o.lastRunId ?? null, lastSkip: o.lastSkip ?? null, createdAt: o.createdAt, updatedAt: o.updatedAt, version: o.version ?? 1,
});

const scheduleRunFrom = (o: Record<string, any>): ScheduleRun => ({
  tenantId: o.tenantId, scheduleId: o.scheduleId, runId: o.runId, type: o.type, scheduledFor: o.scheduledFor ?? null, status: o.status,
  backupSetId: o.backupSetId, retryOfRunId: o.retryOfRunId ?? null, failedItemCount: o.failedItemCount ?? 0,
  createdAt: o.createdAt, completedAt: o.completedAt ?? null,
});

/** A schedule's stored item (with its due-index key); fixtures batch-write many with it. */
export function scheduleItem(s: BackupSchedule): Record<string, unknown> {
  return {
    ...keys.schedule(s.tenantId, s.id),
    kind: 'backupSchedule',
    // Sparse: a disabled schedule is not in the due index at all.
    ...(s.enabled && s.nextRunAt ? keys.scheduleDueLookup(s.tenantId, s.id, s.nextRunAt) : {}),
    ...s,
  };
}

export interface DueSchedule {
  tenantId: string;
  scheduleId: string;
  nextRunAt: string;
}

/** The schedule item's own condition failed (it exists on create, is absent on delete): never leaves this module. */
class ScheduleExists extends Error {}

export class ScheduleStore {
  private readonly t: TableClient;

  constructor(
    doc: DynamoDBDocumentClient,
    table: string = tableName(),
    /** MAX_SCHEDULES_PER_TENANT, read at each create */
    private readonly maxSchedules: () => number = () => settings().quotas.maxSchedulesPerTenant,
  ) {
    this.t = new TableClient(doc, table);
  }

  /**
   * Creates a schedule; false when one with that id exists (the seed relies on this being idempotent).
   * The tenant's schedule counter is incremented in the same transaction, on condition that it is
   * below MAX_SCHEDULES_PER_TENANT (else ScheduleQuotaExceededError): exact under concurrent creates.
   */
  async create(s: BackupSchedule, companions: CompanionPut[] = []): Promise<boolean> {
    const limit = this.maxSchedules();
    try {
      await this.t.transact([
        ...companions.map(companionItem),
        { name: 'backupSchedule', op: { Put: { Item: scheduleItem(s), ConditionExpression: 'attribute_not_exists(pk)' } }, onConditionFailed: () => new ScheduleExists() },
        {
          name: 'scheduleCount',
          op: {
            Update: {
              Key: keys.scheduleCount(s.tenantId),
              UpdateExpression: 'ADD #n :one SET #kind = :kind',
              ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
              ExpressionAttributeNames: { '#n': 'schedules', '#kind': 'kind' },
              ExpressionAttributeValues: { ':one': 1, ':max': limit, ':kind': 'scheduleCount' },
            },
          },
          onConditionFailed: () => new ScheduleQuotaExceededError(s.tenantId, limit),
        },
      ]);
      return true;
    } catch (err) {
      if (err instanceof ScheduleExists) return false;
      throw err;
    }
  }

  /** The tenant's schedules as counted for its quota. */
  async count(tenantId: string): Promise<number> {
    return (await this.t.get(keys.scheduleCount(tenantId), { consistent: true, map: (i) => Number(i.schedules ?? 0) })) ?? 0;
  }

  async get(tenantId: string, scheduleId: string): Promise<BackupSchedule | null> {
    return this.t.get(keys.schedule(tenantId, scheduleId), { kind: 'backupSchedule', consistent: true, map: scheduleFrom });
  }

  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<BackupSchedule>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.schedulePrefix } },
      limit,
      cursor: { scope: `schedules:${tenantId}`, value: cursor },
      map: scheduleFrom,
    });
    return { items, nextCursor };
  }

  /**
   * Replaces `prev` with `next` if nobody wrote it since (`version`, else VersionConflictError); the
   * tick's claims bump it too. With companions (an edit's audit entry), one transaction.
   */
  async save(prev: BackupSchedule, next: BackupSchedule, companions: CompanionPut[] = []): Promise<void> {
    const item = scheduleItem({ ...next, version: prev.version + 1 });
    const v = { entity: 'schedule', id: prev.id, expected: prev.version };
    if (companions.length === 0) return this.t.putVersioned(item, v);
    await this.t.transact([
      { name: 'backupSchedule', op: { Put: { Item: item, ...versionCondition(v.expected) } }, onConditionFailed: () => new VersionConflictError(v.entity, v.id, v.expected) },
      ...companions.map(companionItem),
    ]);
  }

  /** Deletes a schedule and gives its slot back, in one transaction; false when it did not exist. */
  async delete(tenantId: string, scheduleId: string, companions: (s: BackupSchedule) => CompanionPut[] = () => []): Promise<boolean> {
    const current = await this.get(tenantId, scheduleId);
    if (!current) return false;
    try {
      await this.t.transact([
        ...companions(current).map(companionItem),
        { name: 'backupSchedule', op: { Delete: { Key: keys.schedule(tenantId, scheduleId), ConditionExpression: 'attribute_exists(pk)' } }, onConditionFailed: () => new ScheduleExists() },
        {
          name: 'scheduleCount',
          op: { Update: { Key: keys.scheduleCount(tenantId), UpdateExpression: 'ADD #n :minus', ExpressionAttributeNames: { '#n': 'schedules' }, ExpressionAttributeValues: { ':minus': -1 } } },
        },
      ]);
      return true;
    } catch (err) {
      if (err instanceof ScheduleExists) return false;
      throw err;
    }
  }

  /** Enabled schedules whose nextRunAt ≤ now, across tenants, oldest due first (one Query per page). */
  async listDue(now: string, limit = 100, startKey?: Item): Promise<{ items: DueSchedule[]; lastKey: Item | undefined }> {
    const { items, lastKey } = await this.t.queryPage({
      index: 'byLookup',
      // '~' sorts after '#', so every entry due exactly at `now` is included.
      key: { pkAttr: INDEXES.byLookup.partitionKey, pk: keys.scheduleDuePk, skAttr: INDEXES.byLookup.sortKey, sk: { atMost: `${now}~` } },
      limit,
      startKey: startKey as Record<string, string> | undefined,
      map: (o): DueSchedule => ({ tenantId: o.tenantId, scheduleId: o.id, nextRunAt: o.nextRunAt }),
    });
    return { items, lastKey: lastKey ?? undefined };
  }

  /**
   * Claims the due time `seen` by moving nextRunAt to `next`. False when another tick (or an edit)
   * moved it first, or the schedule was disabled or deleted: then this tick must not start a run.
   */
  async claimDue(tenantId: string, scheduleId: string, seen: string, next: string, now: string): Promise<boolean> {
    return this.t.updateIf({
      Key: keys.schedule(tenantId, scheduleId),
      UpdateExpression: 'SET nextRunAt = :next, lookupSk = :sk, updatedAt = :now, #v = #v + :one',
      ConditionExpression: 'nextRunAt = :seen AND enabled = :true',
      ExpressionAttributeNames: { '#v': 'version' },
      ExpressionAttributeValues: {
        ':next': next, ':seen': seen, ':true': true, ':one': 1, ':now': now,
        ':sk': keys.scheduleDueLookup(tenantId, scheduleId, next).lookupSk,
      },
    });
  }

  async recordSkip(tenantId: string, scheduleId: string, skip: ScheduleSkip): Promise<void> {
    await this.updateIfExists(tenantId, scheduleId, 'SET lastSkip = :skip', { ':skip': skip });
  }

  /** Points the schedule at its newest run (ULIDs order by time, so an older run never overwrites a newer one). */
  async recordLastRun(tenantId: string, scheduleId: string, runId: string): Promise<void> {
    await this.updateIfExists(tenantId, scheduleId, 'SET lastRunId = :id', { ':id': runId }, 'attribute_not_exists(lastRunId) OR lastRunId = :null OR lastRunId < :id', { ':null': null });
  }

  private async updateIfExists(tenantId: string, scheduleId: string, update: string, values: Record<string, unknown>, extraCondition?: string, extraValues: Record<string, unknown> = {}) {
    // A deleted schedule, or a newer run already recorded: nothing to do.
    await this.t.updateIf({
      Key: keys.schedule(tenantId, scheduleId),
      UpdateExpression: update,
      ConditionExpression: `attribute_exists(pk)${extraCondition ? ` AND (${extraCondition})` : ''}`,
      ExpressionAttributeValues: { ...values, ...extraValues },
    });
  }

  // ── run history ──

  /** The history entry's Put, committed in the same transaction as its canonical run. */
  scheduleRunPut(r: ScheduleRun): CompanionPut {
    return {
      Item: { ...keys.scheduleRun(r.tenantId, r.scheduleId, r.runId), kind: 'scheduleRun', ...r },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }

  async getScheduleRun(tenantId: string, scheduleId: string, runId: string): Promise<ScheduleRun | null> {
    return this.t.get(keys.scheduleRun(tenantId, scheduleId, runId), { kind: 'scheduleRun', consistent: true, map: scheduleRunFrom });
  }

  async history(tenantId: string, scheduleId: string, limit = 10): Promise<ScheduleRun[]> {
    const { items } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.scheduleRunPrefix(scheduleId) } },
      forward: false,
      limit,
      map: scheduleRunFrom,
    });
    return items;
  }

  /**
   * Adds failed items as rows of their own, counting each once on the history row (`ADD
   * failedItemCount`) in the SAME TransactWriteItems as its row: the count always equals the rows.
   * A redone chunk's entries already have rows and are left out (read first, and each Put is
   * conditional on its row being absent). At most 99 rows + the count per transaction: TransactWriteItems
   * takes at most 100 actions and 4 MB in all (API Reference, TransactWriteItems); a row is < 1 KB.
   * Only the run's own worker writes these rows (its chunks are sequential), so nothing contends.
   * Rows carry the run's TTL (`expiresAt`), like the history row.
   */
  async addFailedItems(tenantId: string, scheduleId: string, runId: string, entries: string[], expiresAt: number): Promise<void> {
    const wanted = [...new Set(entries)];
    if (wanted.length === 0) return;
    const rowKey = (e: string) => keys.scheduleRunFailed(tenantId, scheduleId, runId, e);
    const there = new Set((await this.t.batchGet(wanted.map(rowKey), { projection: ['entry'] })).map((o) => o.entry as string));
    const missing = wanted.filter((e) => !there.has(e));
    for (let i = 0; i < missing.length; i += FAILED_PER_TRANSACTION) {
      const group = missing.slice(i, i + FAILED_PER_TRANSACTION);
      await this.t.transact([
        ...group.map((entry, k) => ({
          name: `failedItem${k}`,
          op: { Put: { Item: { ...rowKey(entry), kind: 'scheduleRunFailed', runId, entry, expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
        })),
        {
          name: 'scheduleRun',
          op: {
            Update: {
              Key: keys.scheduleRun(tenantId, scheduleId, runId),
              UpdateExpression: 'ADD failedItemCount :n',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':n': group.length },
            },
          },
        },
      ]);
    }
  }

  /** One page of a run's failed items, in key order (`<category>/<policyId>` sorts by category, then id). */
  async failedItemsPage(tenantId: string, scheduleId: string, runId: string, startKey: Key | null, limit: number): Promise<{ items: string[]; lastKey: Key | null }> {
    const { items, lastKey } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.scheduleRunFailedPrefix(scheduleId, runId) } },
      startKey,
      limit,
      consistent: true,
      map: (o) => o.entry as string,
    });
    return { items, lastKey };
  }
}
