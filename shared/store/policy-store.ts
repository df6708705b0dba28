/**
 * Policies and their versions (§3 policy.sync): a head item per policy (latest version, content hash)
 * and one immutable item per version. A new version and its head commit in one transaction, guarded
 * so two syncs cannot both write "version n+1". The versioning rule lives in
 * shared/operations/policy-sync.ts.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from './errors.js';
import { keys, tenantPk } from './keys.js';
import { TableClient, type Page } from './table-client.js';
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
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  async getHeads(tenantId: string, policyIds: string[]): Promise<Map<string, PolicyHead>> {
    const found = await this.t.batchGet(policyIds.map((id) => keys.policy(tenantId, id)));
    return new Map(found.map((o) => [o.policyId as string, headFrom(o)]));
  }

  async getHead(tenantId: string, policyId: string): Promise<PolicyHead | null> {
    return this.t.get(keys.policy(tenantId, policyId), { consistent: true, map: headFrom });
  }

  /**
   * Stores `version` and moves the head to it, if the head is still at `previousVersion` (null: no
   * head yet). Another writer that stored that version or moved the head first: VersionConflictError.
   */
  async saveVersion(head: PolicyHead, version: PolicyVersion, previousVersion: number | null): Promise<void> {
    const { content, assignments, ...meta } = version;
    const conflict = () => new VersionConflictError('policy', head.policyId, previousVersion ?? 0);
    await this.t.transact([
      {
        name: 'policyVersion',
        op: {
          Put: {
            Item: { ...keys.policyVersion(version.tenantId, version.policyId, version.version), kind: 'policyVersion', ...meta, contentJson: JSON.stringify(content), assignmentsJson: JSON.stringify(assignments) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: conflict,
      },
      {
        name: 'policy',
        op: {
          Put: {
            Item: { ...keys.policy(head.tenantId, head.policyId), kind: 'policy', ...head },
            ConditionExpression: previousVersion === null ? 'attribute_not_exists(pk)' : 'latestVersion = :prev',
            ExpressionAttributeValues: previousVersion === null ? undefined : { ':prev': previousVersion },
          },
        },
        onConditionFailed: conflict,
      },
    ]);
  }

  /** Records that a sync saw the policy unchanged (display name may still have moved). */
  async touch(head: PolicyHead): Promise<void> {
    await this.t.update({
      Key: keys.policy(head.tenantId, head.policyId),
      UpdateExpression: 'SET lastSyncedAt = :at, displayName = :name, lastSeenRunId = :run, lastChange = :c',
      ExpressionAttributeValues: { ':at': head.lastSyncedAt, ':name': head.displayName, ':run': head.lastSeenRunId, ':c': head.lastChange },
    });
  }

  /** GET /tenants/{t}/policies: one Query per page. */
  async list(tenantId: string, opts: { limit: number; cursor?: string }): Promise<Page<PolicyHead>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.policyPrefix } },
      limit: opts.limit,
      cursor: { scope: `policies:${tenantId}`, value: opts.cursor },
      map: headFrom,
    });
    return { items, nextCursor };
  }

  /** A policy's versions, newest first. */
  async versions(tenantId: string, policyId: string, limit = 50): Promise<PolicyVersion[]> {
    const { items } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.policyVersionPrefix(policyId) } },
      forward: false,
      limit,
      map: versionFrom,
    });
    return items;
  }
}
