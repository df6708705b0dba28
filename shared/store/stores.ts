/**
 * The stores, over one DynamoDB document client and table. Handlers, start plans and executors
 * receive them; none of them constructs a store.
 *
 * Two ways in, so each bundle carries only the store classes its function reaches (issue 18):
 *  - a `StoreSet` (client, table, clock) plus one accessor per store (`backupStore(set)`, …): each
 *    accessor builds its store on first use and keeps it for the set. An API handler names the
 *    stores it uses by calling their accessors, so esbuild leaves the other store classes out;
 *  - `makeStores`: every store on one object (`stores.backups`), for tests and the local runtime;
 *    `planStores` is the part start plans use, `workerStores` the part the worker's executors use.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from './audit-store.js';
import { BackupStore } from './backup-store.js';
import { DirectoryStore } from './directory-store.js';
import { DriftStore } from './drift-store.js';
import { GroupCacheStore } from './group-cache-store.js';
import { InventoryStore } from './inventory-store.js';
import { MemberStore } from './member-store.js';
import { NotificationStore } from './notification-store.js';
import { PolicyStore } from './policy-store.js';
import { RestoreStore } from './restore-store.js';
import { RunStore } from './run-store.js';
import { ScheduleStore } from './schedule-store.js';

/** What every store is built from. */
export interface StoreSet {
  /** the raw client and table (every store reads and writes through its own TableClient over them) */
  doc: DynamoDBDocumentClient;
  table: string;
}

export interface Stores extends StoreSet {
  runs: RunStore;
  directory: DirectoryStore;
  inventory: InventoryStore;
  policies: PolicyStore;
  groups: GroupCacheStore;
  backups: BackupStore;
  schedules: ScheduleStore;
  restores: RestoreStore;
  drift: DriftStore;
  notifications: NotificationStore;
  members: MemberStore;
  audit: AuditStore;
}

type StoreName = Exclude<keyof Stores, keyof StoreSet>;

/** The stores start plans read and write (shared/operations/*.definition.ts): no executor-only store. */
export type PlanStores = Pick<Stores, 'doc' | 'table' | 'runs' | 'directory' | 'policies' | 'groups' | 'backups' | 'schedules' | 'restores'>;

interface SetState { clock: () => Date; built: Partial<Pick<Stores, StoreName>> }
const states = new WeakMap<StoreSet, SetState>();

/** A set of stores over `doc` and `table`, built lazily by the accessors below. */
export function storeSet(opts: { doc: DynamoDBDocumentClient; table: string; clock?: () => Date }): StoreSet {
  const set: StoreSet = { doc: opts.doc, table: opts.table };
  states.set(set, { clock: opts.clock ?? (() => new Date()), built: {} });
  return set;
}

function built<K extends StoreName>(set: StoreSet, name: K, make: (clock: () => Date) => Stores[K]): Stores[K] {
  // A full Stores object (makeStores, or a test's own) already holds its stores.
  if (name in set) return (set as Stores)[name];
  let state = states.get(set);
  if (!state) states.set(set, (state = { clock: () => new Date(), built: {} }));
  return (state.built[name] ??= make(state.clock)) as Stores[K];
}

export function runStore(s: StoreSet): RunStore { return built(s, 'runs', (clock) => new RunStore(s.doc, s.table, clock)); }
export function directoryStore(s: StoreSet): DirectoryStore { return built(s, 'directory', () => new DirectoryStore(s.doc, s.table)); }
export function inventoryStore(s: StoreSet): InventoryStore { return built(s, 'inventory', () => new InventoryStore(s.doc, s.table)); }
export function policyStore(s: StoreSet): PolicyStore { return built(s, 'policies', () => new PolicyStore(s.doc, s.table)); }
export function groupCacheStore(s: StoreSet): GroupCacheStore { return built(s, 'groups', () => new GroupCacheStore(s.doc, s.table)); }
export function backupStore(s: StoreSet): BackupStore { return built(s, 'backups', () => new BackupStore(s.doc, s.table)); }
export function scheduleStore(s: StoreSet): ScheduleStore { return built(s, 'schedules', () => new ScheduleStore(s.doc, s.table)); }
export function restoreStore(s: StoreSet): RestoreStore { return built(s, 'restores', () => new RestoreStore(s.doc, s.table)); }
export function driftStore(s: StoreSet): DriftStore { return built(s, 'drift', () => new DriftStore(s.doc, s.table)); }
export function notificationStore(s: StoreSet): NotificationStore { return built(s, 'notifications', (clock) => new NotificationStore(s.doc, s.table, clock)); }
export function memberStore(s: StoreSet): MemberStore { return built(s, 'members', () => new MemberStore(s.doc, s.table)); }
export function auditStore(s: StoreSet): AuditStore { return built(s, 'audit', () => new AuditStore(s.doc, s.table)); }

/** The stores start plans use, over `set` (the same instances its accessors return). */
export function planStores(set: StoreSet): PlanStores {
  return {
    doc: set.doc, table: set.table,
    runs: runStore(set), directory: directoryStore(set), policies: policyStore(set), groups: groupCacheStore(set),
    backups: backupStore(set), schedules: scheduleStore(set), restores: restoreStore(set),
  };
}

/** The stores the worker's executors use: the plans' and the synced data's (no members, notifications or audit). */
export type WorkerStores = PlanStores & Pick<Stores, 'inventory' | 'drift'>;

/** The worker's stores over `set`: its bundle carries no other store class. */
export function workerStores(set: StoreSet): WorkerStores {
  return { ...planStores(set), inventory: inventoryStore(set), drift: driftStore(set) };
}

/** Every store, on one object. */
export function makeStores(opts: { doc: DynamoDBDocumentClient; table: string; clock?: () => Date }): Stores {
  const set = storeSet(opts);
  return { ...workerStores(set), notifications: notificationStore(set), members: memberStore(set), audit: auditStore(set) };
}
