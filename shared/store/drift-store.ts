/**
 * Drift findings (§3 drift.generate): one item per (baseline set, policy) that differs. A generation
 * overwrites the findings it finds and then sweeps the baseline's findings it did not write, so the
 * result replaces the previous generation for that baseline.
 */
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPut } from './batch.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { keys, tenantPk } from './keys.js';
import type { Page } from './run-store.js';
import { tableName } from './table.js';

export type DriftKind = 'added' | 'removed' | 'modified';

export interface DriftFinding {
  tenantId: string;
  baselineBackupSetId: string;
  policyId: string;
  category: string;
  displayName: string;
  kind: DriftKind;
  /** JSON paths that differ (modified only) */
  changedPaths: string[];
  /** the policy version compared (null when removed) */
  policyVersion: number | null;
  detectedAt: string;
  runId: string;
}

const fromItem = (o: Record<string, any>): DriftFinding => ({
  tenantId: o.tenantId, baselineBackupSetId: o.baselineBackupSetId, policyId: o.policyId, category: o.category, displayName: o.displayName,
  kind: o.findingKind, changedPaths: o.changedPaths ?? [], policyVersion: o.policyVersion ?? null, detectedAt: o.detectedAt, runId: o.runId,
});

export class DriftStore {
  constructor(private readonly doc: DynamoDBDocumentClient, private readonly table: string = tableName()) {}

  putMany(findings: DriftFinding[]): Promise<void> {
    // `kind` is every item's type attribute here; the finding's own kind is stored as `findingKind`.
    return batchPut(this.doc, this.table, findings.map(({ kind, ...f }) => ({ ...keys.driftFinding(f.tenantId, f.baselineBackupSetId, f.policyId), kind: 'driftFinding', findingKind: kind, ...f })));
  }

  /** GET /tenants/{t}/drift-findings: one Query per page; a baseline narrows it to that baseline's findings. */
  async list(tenantId: string, opts: { baselineBackupSetId?: string; limit: number; cursor?: string }): Promise<Page<DriftFinding>> {
    const scope = `drift:${tenantId}:${opts.baselineBackupSetId ?? '*'}`;
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.driftPrefix(opts.baselineBackupSetId) },
      Limit: opts.limit,
      ExclusiveStartKey: decodeCursor(scope, opts.cursor),
    }));
    return { items: (out.Items ?? []).map(fromItem), nextCursor: encodeCursor(scope, out.LastEvaluatedKey) };
  }

  /** One page of a baseline's findings in key order (the sweep walks these). */
  async pageOfBaseline(tenantId: string, baselineSetId: string, startKey: Record<string, string> | null, limit = 100) {
    const out = await this.doc.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':p': keys.driftPrefix(baselineSetId) },
      ExclusiveStartKey: startKey ?? undefined,
      Limit: limit,
      ConsistentRead: true,
    }));
    return { items: (out.Items ?? []).map(fromItem), lastKey: (out.LastEvaluatedKey as Record<string, string> | undefined) ?? null };
  }

  async deleteMany(findings: DriftFinding[]): Promise<void> {
    for (let i = 0; i < findings.length; i += 25) {
      let pending: any[] = findings.slice(i, i + 25).map((f) => ({ DeleteRequest: { Key: keys.driftFinding(f.tenantId, f.baselineBackupSetId, f.policyId) } }));
      for (let round = 0; pending.length > 0 && round < 8; round++) {
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (out.UnprocessedItems?.[this.table] as any[] | undefined) ?? [];
      }
    }
  }
}
