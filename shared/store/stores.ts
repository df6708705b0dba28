/**
 * Every store, built once from one DynamoDB document client and table. Handlers, start plans and
 * executors receive this object; none of them constructs a store.
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

export interface Stores {
  /** the raw client and table (every store reads and writes through its own TableClient over them) */
  doc: DynamoDBDocumentClient;
  table: string;
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

export function makeStores(opts: { doc: DynamoDBDocumentClient; table: string; clock?: () => Date }): Stores {
  const { doc, table } = opts;
  const clock = opts.clock ?? (() => new Date());
  return {
    doc,
    table,
    runs: new RunStore(doc, table, clock),
    directory: new DirectoryStore(doc, table),
    inventory: new InventoryStore(doc, table),
    policies: new PolicyStore(doc, table),
    groups: new GroupCacheStore(doc, table),
    backups: new BackupStore(doc, table),
    schedules: new ScheduleStore(doc, table),
    restores: new RestoreStore(doc, table),
    drift: new DriftStore(doc, table),
    notifications: new NotificationStore(doc, table, clock),
    members: new MemberStore(doc, table),
    audit: new AuditStore(doc, table),
  };
}
