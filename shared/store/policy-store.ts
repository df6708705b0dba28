/**
 * Policies and their versions (§3 policy.sync): a head item per policy (latest version, content hash)
 * and one immutable item per version. A new version and its head commit in one transaction, guarded
 * so two syncs cannot both write "version n+1". The versioning rule lives in
 * shared/operations/policy-sync.ts.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './batch.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys, tenantPk } from './keys.js';
import type { Page } from './run-store.js';
import { tableName } from './table.js';

export interface PolicyHead {
  tenantId: string;
  policyId: string;
  category: string;
  displayName: string;
  latestVersion: number;
  contentHash: string;
  lastSyncedAt: string;
  /** the sync run that last wrote the head and what it did: a resumed run recounts a redone item the same way */
  lastSeenRunId: string;
  lastChange: 'versioned' | 'unchanged';
}

export interface PolicyVersion {
  tenantId: string;
  policyId: string;
  version: number;
  category: string;
  displayName: string;
  content: Record<string, unknown>;
  assignments: unknown[];
  contentHash: string;
  capturedAt: string;
  runId: string;
}

/** Another writer stored a version first; re-read the head and decide again. */
export class PolicyVersionConflictError extends Error {
  constructor(readonly policyId: string) {
    super(`policy ${policyId} got a new version concurrently`);
    this.name = 'PolicyVersionConflictError';
  }
}

const headFrom = (o: Record<string, any>): PolicyHead => ({
  tenantId: o.tenantId, policyId: o.policyId, category: o.category, displayName: o.displayName, latestVersion: o.latestVersion,
  contentHash: o.contentHash, lastSyncedAt: o.lastSyncedAt, lastSeenRunId: o.lastSeenRunId, lastChange: o.lastChange,
});

// Content is stored as JSON text: Graph objects can nest deeper than DynamoDB maps allow and keep their exact shape.
const versionFrom = (o: Record<string, any>): PolicyVersion => ({
  tenantId: o.tenantId, policyId: o.policyId, version: o.version, category: o.category, displayName: o.displayName,
  content: JSON.parse(o.contentJson), assignments: JSON.parse(o.assignmentsJson), contentHash: o.contentHash, capturedAt: o.capturedAt, runId: o.runId,
});

export class PolicyStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  async getHeads(tenantId: string, policyIds: string[]): Promise<Map<string, PolicyHead>> {
    const found = await batchGet(this.doc, this.table, policyIds.map((id) => keys.policy(tenantId, id)));
    return new Map(found.map((o) => [o.policyId as string, headFrom(o)]));
  }

  async getHead(tenantId: string, policyId: string): Promise<PolicyHead | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.policy(tenantId, policyId), ConsistentRead: true }));
    return out.Item ? headFrom(out.Item) : null;
  }

  /** Stores `version` and moves the head to it, if the head is still at `previousVersion` (null: no head yet). */
  async saveVersion(head: PolicyHead, version: PolicyVersion, previousVersion: number | null): Promise<void> {
    const { content, assignments, ...meta } = version;
    try {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.policyVersion(version.tenantId, version.policyId, version.version), kind: 'policyVersion', ...meta, contentJson: JSON.stringify(content), assignmentsJson: JSON.stringify(assignments) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.table,
              Item: { ...keys.policy(head.tenantId, head.policyId), kind: 'policy', ...head },
              ConditionExpression: previousVersion === null ? 'attribute_not_exists(pk)' : 'latestVersion = :prev',
              ExpressionAttributeValues: previousVersion === null ? undefined : { ':prev': previousVersion },
            },
          },
        ],
      }));
    } catch (err) {
      if (err instanceof TransactionCanceledException) throw new PolicyVersionConflictError(head.policyId);
      throw err;
    }
  }

  /** Records that a sync saw the policy unchanged (display name may still have moved). */
  async touch(head: PolicyHead): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.table,
      Key: keys.policy(head.tenantId, head.policyId),
      UpdateExpression: 'SET lastSyncedAt = :at, displayName = :name, lastSeenRunId = :run, lastChange = :c',
      ExpressionAttributeValues: { ':at': head.lastSyncedAt, ':name': head.displayName, ':run': head.lastSeenRunId, ':c': head.lastChange },
    }));
  }

  /** GET /tenants/{t}/policies: one Query per page. */
  async list(tenantId: string, opts: { limit: number; cursor?: string }): Promise<Page<PolicyHead>> {
    const scope = `policies:${tenantId}`;
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.policyPrefix },
      ExclusiveStartKey: decodeCursor(scope, opts.cursor),
      Limit: opts.limit,
    }));
    return { items: (out.Items ?? []).map(headFrom), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }

  /** A policy's versions, newest first. */
  async versions(tenantId: string, policyId: string, limit = 50): Promise<PolicyVersion[]> {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.policyVersionPrefix(policyId) },
      ScanIndexForward: false,
      Limit: limit,
    }));
    return (out.Items ?? []).map(versionFrom);
  }
}
