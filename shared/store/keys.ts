/**
 * Every key of the single table is built here (DeBrie, "The DynamoDB Book").
 *
 * | access pattern                                   | served by                                                            |
 * | ------------------------------------------------ | -------------------------------------------------------------------- |
 * | run by id                                        | table  pk=TENANT#t            sk=RUN#<ulid>                          |
 * | runs of a tenant, newest first                   | table  pk=TENANT#t            sk begins_with RUN# (descending)       |
 * | runs filtered by type                            | GSI byType       TENANT#t#TYPE#<type>        / runSk=<ulid>         |
 * | runs filtered by status                          | GSI byStatus     TENANT#t#STATUS#<status>    / runSk                |
 * | runs filtered by outcome                         | GSI byOutcome    TENANT#t#OUTCOME#<outcome>  / runSk                |
 * | runs filtered by initiator (user id or system)   | GSI byInitiator  TENANT#t#INITIATOR#<u|SYSTEM> / runSk              |
 * | runs filtered by surface                         | GSI bySurface    TENANT#t#SURFACE#<surface>  / runSk                |
 * | created-at range (from/to)                       | a key range on the ULID sort key of whichever of the above is used   |
 * | active runs across tenants (reaper)              | GSI byActive (sparse) ACTIVE#<status>#<shard> / activeSk=createdAt#t#id |
 * |                                                  |   shard = hash(run id) mod ACTIVE_SHARDS; the lease is NOT in the key:   |
 * |                                                  |   the reaper reads every shard and filters on leaseExpiresAt            |
 * | a run's timeline, oldest first (cursor-paged)    | table  pk=TENANT#t            sk begins_with RUNLOG#<runId># — one item per committed transition, sk RUNLOG#<runId>#<version, 8 digits>, written in the transition's own transaction, same TTL as the run |
 * | the active run key (one active run per key)      | table  pk=TENANT#t            sk=ACTIVEKEY#<type>#<identityHash>     |
 * | a tenant's active-run count (quota, exact)       | table  pk=TENANT#t            sk=QUOTA#ACTIVERUNS  (count)           |
 * | a tenant's schedule count (quota, exact)         | table  pk=TENANT#t            sk=QUOTA#SCHEDULES   (count)           |
 * | a tenant                                         | table  pk=TENANT#t            sk=PROFILE                             |
 * | every tenant (GET /tenants, platform admins)     | GSI byLookup     TENANTS / <tenantId> (the profile itself, sparse)   |
 * | a tenant's connection checks (one per run)       | table  pk=TENANT#t            sk=CONNCHECK#<runId>                   |
 * | a user                                           | table  pk=USER#u              sk=PROFILE                             |
 * | a user's memberships (GET /me, authorization)    | table  pk=USER#u              sk begins_with MEMBER#                 |
 * | a tenant's members (GET /tenants/t/members)      | table  pk=TENANT#t            sk begins_with MEMBER#<userId> — the other side of USER#u/MEMBER#t, written in the same transaction (member-store.ts) |
 * | a tenant's owner count (last owner, exact)       | table  pk=TENANT#t            sk=QUOTA#OWNERS      (owners)          |
 * | a tenant's pending invitations                   | table  pk=TENANT#t            sk begins_with INVITE#<ulid> (TTL 14 days, hidden once expired) |
 * | invitations of an email (accepted at GET /me)    | table  pk=INVITEE#<lower(email)> sk=TENANT#t (one per tenant and email; same transaction) |
 * | a tenant's audit trail, newest first             | table  pk=TENANT#t            sk begins_with AUDIT#<ulid> (descending, TTL 1 year) |
 * | audit entries of one actor, newest first         | GSI byLookup     TENANT#t#AUDITACTOR#<userId> / <ulid>                |
 * | audit entries of one action, newest first        | GSI byAuditAction TENANT#t#AUDITACTION#<action> / auditSk=<ulid> (sparse, INCLUDE entry) |
 * | fleet view (GET /me/fleet), per member tenant    | the run partition, byStatus and byOutcome#failed, each a ULID range since the window's start (shared/store/fleet-reads.ts) |
 * | a user's notifications, newest first             | table  pk=USER#u              sk begins_with NOTIF#<ulid>            |
 * | one notification per (run, kind)                 | table  pk=USER#u              sk=NOTIFKEY#<runId>#<kind>             |
 * | domain lookups (group name prefix, due schedules)| GSI byLookup     lookupPk / lookupSk (sparse, see the domain modules) |
 * | an inventory item                                | table  pk=TENANT#t            sk=INV#<category>#<objectId>           |
 * | inventory of a tenant, by category or all        | table  pk=TENANT#t            sk begins_with INV#<category># / INV#  |
 * | a policy (its latest version's head)             | table  pk=TENANT#t            sk=POLICY#<policyId>                   |
 * | policies of a tenant                             | table  pk=TENANT#t            sk begins_with POLICY#                 |
 * | a policy's versions, newest first                | table  pk=TENANT#t            sk begins_with POLICYVER#<policyId># (desc) |
 * | a cached directory group                         | table  pk=TENANT#t            sk=GROUP#<groupId>                     |
 * | cached groups of a tenant (sync sweep)           | table  pk=TENANT#t            sk begins_with GROUP#                  |
 * | cached groups by displayName prefix (DB only)    | GSI byLookup     TENANT#t#GROUPNAME / <lower(displayName)>#<groupId> |
 * | a backup set                                     | table  pk=TENANT#t            sk=BACKUPSET#<ulid>                    |
 * | backup sets of a tenant, newest first            | table  pk=TENANT#t            sk begins_with BACKUPSET# (descending) |
 * | newest complete backup set (drift's baseline)    | the same Query, newest first, first set that is complete             |
 * | backup sets of a schedule (pruning)              | GSI byLookup     TENANT#t#SCHEDULESETS#<scheduleId> / <setId>        |
 * | a backup item (one policy in a set)              | table  pk=TENANT#t            sk=BACKUPITEM#<setId>#<policyId>       |
 * | items of a backup set                            | table  pk=TENANT#t            sk begins_with BACKUPITEM#<setId>#     |
 * | a backup schedule; schedules of a tenant         | table  pk=TENANT#t            sk=SCHEDULE#<id> / begins_with SCHEDULE# |
 * | enabled schedules due by now, across tenants     | GSI byLookup     SCHEDULE_DUE / <nextRunAt>#<tenant>#<id> (sparse)   |
 * | a schedule's run history, newest first           | table  pk=TENANT#t            sk begins_with SCHEDRUN#<scheduleId># (desc) |
 * | a restore record                                 | table  pk=TENANT#t            sk=RESTORE#<restoreId>                 |
 * | a restore's item results, in item order          | table  pk=TENANT#t            sk begins_with RESTOREITEM#<restoreId># |
 * | a schedule run's failed items                    | table  pk=TENANT#t            sk begins_with SCHEDRUNFAIL#<scheduleId>#<runId># |
 * | drift findings of a baseline / of a tenant       | table  pk=TENANT#t            sk begins_with DRIFT#<baselineSetId># / DRIFT# |
 * | a sync run row; a domain's sync history (desc)   | table  pk=TENANT#t            sk=SYNCRUN#<domain>#<runId> / begins_with SYNCRUN#<domain># |
 * | a drift report row (one per drift run)           | table  pk=TENANT#t            sk=DRIFTREPORT#<runId>                 |
 * | a backup set's add row (one per add_policies run)| table  pk=TENANT#t            sk=BACKUPSETADD#<setId>#<runId>        |
 *
 * No read path scans: every list is a Query on the table or one of these indexes.
 */

export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The non-key attributes a run list needs (the run summary of §5 minus `id` and `tenantId`, which are
 * read from the table keys `sk`/`pk` — every GSI carries the table's keys). The list indexes project
 * only these (INCLUDE), so a checkpoint rewrites a small summary in each index, never the run's
 * input, failures or cursor. DynamoDB caps NonKeyAttributes at 100 summed over all indexes, the
 * same attribute in two indexes counting twice (API Reference, "Projection"): 5 × 19 + 1 = 96.
 */
export const RUN_SUMMARY_ATTRIBUTES = [
  'type', 'label', 'status', 'outcome', 'identityHash', 'initiator', 'surface', 'summaryCounts', 'failureCount',
  'context', 'attempt', 'cancelRequested', 'createdAt', 'startedAt', 'completedAt', 'durationMs', 'queueWaitMs',
  'expiresAt', 'version',
] as const;

/** What an index copies from the table: everything, or only the named non-key attributes. */
export type IndexProjection = { type: 'ALL' } | { type: 'INCLUDE'; attributes: readonly string[] };
const summaryOnly: IndexProjection = { type: 'INCLUDE', attributes: RUN_SUMMARY_ATTRIBUTES };

/**
 * byActive partitions: one per (status, shard). A fixed count, so the reaper knows every partition
 * to read. Each partition of a table or index serves at most 1,000 write units per second
 * (DynamoDB Developer Guide, "Best practices for designing and using partition keys effectively"),
 * and two status partitions took every active run of every tenant; 16 shards spread that write rate
 * 8× wider, and a reaper pass costs 32 small Queries. Changing it needs a backfill of `activePk`.
 */
export const ACTIVE_SHARDS = 16;

/** The global secondary indexes with their projections; read by the CDK stack and the local runtime's CreateTable. */
export const INDEXES = {
  byType: { partitionKey: 'byTypePk', sortKey: 'runSk', projection: summaryOnly },
  byStatus: { partitionKey: 'byStatusPk', sortKey: 'runSk', projection: summaryOnly },
  byOutcome: { partitionKey: 'byOutcomePk', sortKey: 'runSk', projection: summaryOnly },
  byInitiator: { partitionKey: 'byInitiatorPk', sortKey: 'runSk', projection: summaryOnly },
  bySurface: { partitionKey: 'bySurfacePk', sortKey: 'runSk', projection: summaryOnly },
  // The reaper reads tenant and run id from the table keys, the status from activePk, createdAt from
  // activeSk, and filters on the lease: nothing else is copied.
  byActive: { partitionKey: 'activePk', sortKey: 'activeSk', projection: { type: 'INCLUDE', attributes: ['leaseExpiresAt'] } as IndexProjection },
  // The audit trail filtered by action (sparse: only audit items carry auditActionPk). The entry is ONE
  // map attribute, so the index copies one non-key attribute: 5 × 19 + 1 + 1 = 97 ≤ 100 (see above).
  byAuditAction: { partitionKey: 'auditActionPk', sortKey: 'auditSk', projection: { type: 'INCLUDE', attributes: ['entry'] } as IndexProjection },
  // Domain lookups (groups, schedules, a schedule's sets, an actor's audit entries) read whole items.
  byLookup: { partitionKey: 'lookupPk', sortKey: 'lookupSk', projection: { type: 'ALL' } as IndexProjection },
} as const satisfies Record<string, { partitionKey: string; sortKey: string; projection: IndexProjection }>;
export type IndexName = keyof typeof INDEXES;

/** The byActive shard of a run: FNV-1a of its id, mod ACTIVE_SHARDS (stable for the run's life). */
export function activeShard(runId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    h ^= runId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % ACTIVE_SHARDS;
}
export const activePartition = (status: 'queued' | 'running', shard: number) => `ACTIVE#${status}#${shard}`;

export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;
/** The sort key of a tenant's profile (and of a user's): the secret sweeper's stream filter matches it. */
export const TENANT_PROFILE_SK = 'PROFILE';
export const userPk = (userId: string) => `USER#${userId}`;

export const keys = {
  tenant: (tenantId: string) => ({ pk: tenantPk(tenantId), sk: TENANT_PROFILE_SK }),
  /** byLookup attributes of a tenant profile: every tenant in one partition, by id (GET /tenants) */
  tenantLookup: (tenantId: string) => ({ lookupPk: 'TENANTS', lookupSk: tenantId }),
  tenantsLookupPk: 'TENANTS',
  /** a connection check's row (graph.connection_check): the per-category result of one run */
  connectionCheck: (tenantId: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `CONNCHECK#${runId}` }),
  user: (userId: string) => ({ pk: userPk(userId), sk: 'PROFILE' }),
  membership: (userId: string, tenantId: string) => ({ pk: userPk(userId), sk: `MEMBER#${tenantId}` }),
  membershipPrefix: 'MEMBER#',
  /** the tenant's side of a membership (the member list); written with the user's side in one transaction */
  tenantMember: (tenantId: string, userId: string) => ({ pk: tenantPk(tenantId), sk: `MEMBER#${userId}` }),
  tenantMemberPrefix: 'MEMBER#',
  /** the tenant's owner counter: the last owner can be neither removed nor demoted (member-store.ts) */
  ownerCount: (tenantId: string) => ({ pk: tenantPk(tenantId), sk: 'QUOTA#OWNERS' }),
  invitation: (tenantId: string, invitationId: string) => ({ pk: tenantPk(tenantId), sk: `INVITE#${invitationId}` }),
  invitationPrefix: 'INVITE#',
  /** one pending invitation per (email, tenant); the email is lower-cased */
  invitee: (email: string, tenantId: string) => ({ pk: `INVITEE#${email.toLowerCase()}`, sk: `TENANT#${tenantId}` }),
  inviteePk: (email: string) => `INVITEE#${email.toLowerCase()}`,
  audit: (tenantId: string, auditId: string) => ({ pk: tenantPk(tenantId), sk: `AUDIT#${auditId}` }),
  auditPrefix: 'AUDIT#',
  /** the index attributes of an audit entry: by actor (byLookup) and by action (byAuditAction) */
  auditLookups: (tenantId: string, auditId: string, actorId: string, action: string) => ({
    lookupPk: `${tenantPk(tenantId)}#AUDITACTOR#${actorId}`, lookupSk: auditId,
    auditActionPk: `${tenantPk(tenantId)}#AUDITACTION#${action}`, auditSk: auditId,
  }),
  auditActorPk: (tenantId: string, actorId: string) => `${tenantPk(tenantId)}#AUDITACTOR#${actorId}`,
  auditActionPk: (tenantId: string, action: string) => `${tenantPk(tenantId)}#AUDITACTION#${action}`,
  run: (tenantId: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `RUN#${runId}` }),
  runPrefix: 'RUN#',
  /** one timeline entry per committed transition; the run's version, zero-padded, orders them */
  runLog: (tenantId: string, runId: string, seq: number) => ({ pk: tenantPk(tenantId), sk: `RUNLOG#${runId}#${String(seq).padStart(8, '0')}` }),
  runLogPrefix: (runId: string) => `RUNLOG#${runId}#`,
  activeKey: (tenantId: string, type: string, identityHash: string) => ({
    pk: tenantPk(tenantId),
    sk: `ACTIVEKEY#${type}#${identityHash}`,
  }),
  /** the tenant's active-run counter: +1 in the start transaction, −1 in the completing one (run-store.ts) */
  activeRunCount: (tenantId: string) => ({ pk: tenantPk(tenantId), sk: 'QUOTA#ACTIVERUNS' }),
  /** the tenant's schedule counter: +1 with each created schedule, −1 with each deleted one (schedule-store.ts) */
  scheduleCount: (tenantId: string) => ({ pk: tenantPk(tenantId), sk: 'QUOTA#SCHEDULES' }),
  notification: (userId: string, notificationId: string) => ({ pk: userPk(userId), sk: `NOTIF#${notificationId}` }),
  notificationPrefix: 'NOTIF#',
  notificationOnce: (userId: string, runId: string, kind: string) => ({ pk: userPk(userId), sk: `NOTIFKEY#${runId}#${kind}` }),
  inventoryItem: (tenantId: string, category: string, objectId: string) => ({ pk: tenantPk(tenantId), sk: `INV#${category}#${objectId}` }),
  inventoryPrefix: (category?: string) => (category ? `INV#${category}#` : 'INV#'),
  policy: (tenantId: string, policyId: string) => ({ pk: tenantPk(tenantId), sk: `POLICY#${policyId}` }),
  policyPrefix: 'POLICY#',
  /** versions are zero-padded so the sort key orders them numerically */
  policyVersion: (tenantId: string, policyId: string, version: number) => ({ pk: tenantPk(tenantId), sk: `POLICYVER#${policyId}#${String(version).padStart(8, '0')}` }),
  policyVersionPrefix: (policyId: string) => `POLICYVER#${policyId}#`,
  directoryGroup: (tenantId: string, groupId: string) => ({ pk: tenantPk(tenantId), sk: `GROUP#${groupId}` }),
  directoryGroupPrefix: 'GROUP#',
  /** byLookup attributes of a cached group: prefix search on its lower-cased displayName */
  directoryGroupLookup: (tenantId: string, displayName: string, groupId: string) => ({
    lookupPk: `${tenantPk(tenantId)}#GROUPNAME`,
    lookupSk: `${displayName.toLowerCase()}#${groupId}`,
  }),
  backupSet: (tenantId: string, setId: string) => ({ pk: tenantPk(tenantId), sk: `BACKUPSET#${setId}` }),
  backupSetPrefix: 'BACKUPSET#',
  /** byLookup attributes of a schedule's backup set: its older sets are pruned beyond keepLast */
  scheduleSetLookup: (tenantId: string, scheduleId: string, setId: string) => ({ lookupPk: `${tenantPk(tenantId)}#SCHEDULESETS#${scheduleId}`, lookupSk: setId }),
  backupItem: (tenantId: string, setId: string, policyId: string) => ({ pk: tenantPk(tenantId), sk: `BACKUPITEM#${setId}#${policyId}` }),
  backupItemPrefix: (setId: string) => `BACKUPITEM#${setId}#`,
  schedule: (tenantId: string, scheduleId: string) => ({ pk: tenantPk(tenantId), sk: `SCHEDULE#${scheduleId}` }),
  schedulePrefix: 'SCHEDULE#',
  /** byLookup attributes of an enabled schedule: one cross-tenant partition ordered by due time (the tick's only read) */
  scheduleDueLookup: (tenantId: string, scheduleId: string, nextRunAt: string) => ({ lookupPk: 'SCHEDULE_DUE', lookupSk: `${nextRunAt}#${tenantId}#${scheduleId}` }),
  scheduleDuePk: 'SCHEDULE_DUE',
  scheduleRun: (tenantId: string, scheduleId: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `SCHEDRUN#${scheduleId}#${runId}` }),
  scheduleRunPrefix: (scheduleId: string) => `SCHEDRUN#${scheduleId}#`,
  restore: (tenantId: string, restoreId: string) => ({ pk: tenantPk(tenantId), sk: `RESTORE#${restoreId}` }),
  restoreItem: (tenantId: string, restoreId: string, itemId: string) => ({ pk: tenantPk(tenantId), sk: `RESTOREITEM#${restoreId}#${itemId}` }),
  restoreItemPrefix: (restoreId: string) => `RESTOREITEM#${restoreId}#`,
  scheduleRunFailed: (tenantId: string, scheduleId: string, runId: string, entry: string) => ({ pk: tenantPk(tenantId), sk: `SCHEDRUNFAIL#${scheduleId}#${runId}#${entry}` }),
  scheduleRunFailedPrefix: (scheduleId: string, runId: string) => `SCHEDRUNFAIL#${scheduleId}#${runId}#`,
  syncRun: (tenantId: string, domain: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `SYNCRUN#${domain}#${runId}` }),
  syncRunPrefix: (domain: string) => `SYNCRUN#${domain}#`,
  driftReport: (tenantId: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `DRIFTREPORT#${runId}` }),
  backupSetAdd: (tenantId: string, setId: string, runId: string) => ({ pk: tenantPk(tenantId), sk: `BACKUPSETADD#${setId}#${runId}` }),
  driftFinding: (tenantId: string, baselineSetId: string, policyId: string) => ({ pk: tenantPk(tenantId), sk: `DRIFT#${baselineSetId}#${policyId}` }),
  driftPrefix: (baselineSetId?: string) => (baselineSetId ? `DRIFT#${baselineSetId}#` : 'DRIFT#'),
} as const;

/** The sort-key prefixes of the items whose stream records become events (runs, audit entries): the stream filter of the CDK and the local relay. */
export const STREAM_EVENT_PREFIXES = [keys.runPrefix, keys.auditPrefix] as const;

/** The GSI attributes a run carries; recomputed on every write so they always match its state. */
export function runIndexAttributes(run: {
  tenantId: string; id: string; type: string; status: string; outcome: string;
  initiator: { userId: string | null }; surface: string; createdAt: string; leaseExpiresAt: string | null;
}) {
  const t = tenantPk(run.tenantId);
  const attrs: Record<string, string> = {
    runSk: run.id,
    byTypePk: `${t}#TYPE#${run.type}`,
    byStatusPk: `${t}#STATUS#${run.status}`,
    byOutcomePk: `${t}#OUTCOME#${run.outcome}`,
    byInitiatorPk: `${t}#INITIATOR#${initiatorKey(run.initiator.userId)}`,
    bySurfacePk: `${t}#SURFACE#${run.surface}`,
  };
  // byActive is sparse: only queued and running runs are in it, so the reaper reads only them. Its key
  // changes only with the status (queued → running → gone): a lease renewal at a checkpoint rewrites
  // the small index item in place instead of deleting and re-putting it.
  if (run.status === 'queued' || run.status === 'running') {
    Object.assign(attrs, { activePk: activePartition(run.status, activeShard(run.id)), activeSk: `${run.createdAt}#${run.tenantId}#${run.id}` });
  }
  return attrs;
}

export const initiatorKey = (userId: string | null) => (userId === null ? 'SYSTEM' : `USER:${userId}`);
