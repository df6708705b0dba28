/**
 * Drift findings (§3 drift.generate): one item per (baseline set, policy) that differs. A generation
 * overwrites the findings it finds and then sweeps the baseline's findings it did not write, so the
 * result replaces the previous generation for that baseline.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, tenantPk } from './keys.js';
import { TableClient, type Key, type Page } from './table-client.js';
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
  private readonly t: TableClient;

  constructor(doc: DynamoDBDocumentClient, table: string = tableName()) {
    this.t = new TableClient(doc, table);
  }

  putMany(findings: DriftFinding[]): Promise<void> {
    // `kind` is every item's type attribute here; the finding's own kind is stored as `findingKind`.
    return this.t.batchPut(findings.map(({ kind, ...f }) => ({ ...keys.driftFinding(f.tenantId, f.baselineBackupSetId, f.policyId), kind: 'driftFinding', findingKind: kind, ...f })));
  }

  /** GET /tenants/{t}/drift-findings: one Query per page; a baseline narrows it to that baseline's findings. */
  async list(tenantId: string, opts: { baselineBackupSetId?: string; limit: number; cursor?: string }): Promise<Page<DriftFinding>> {
    const { items, nextCursor } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.driftPrefix(opts.baselineBackupSetId) } },
      limit: opts.limit,
      cursor: { scope: `drift:${tenantId}:${opts.baselineBackupSetId ?? '*'}`, value: opts.cursor },
      map: fromItem,
    });
    return { items, nextCursor };
  }

  /** One page of a baseline's findings in key order (the sweep walks these). */
  async pageOfBaseline(tenantId: string, baselineSetId: string, startKey: Key | null, limit = 100): Promise<{ items: DriftFinding[]; lastKey: Key | null }> {
    const { items, lastKey } = await this.t.queryPage({
      key: { pk: tenantPk(tenantId), sk: { beginsWith: keys.driftPrefix(baselineSetId) } },
      startKey,
      limit,
      consistent: true,
      map: fromItem,
    });
    return { items, lastKey };
  }

  async deleteMany(findings: DriftFinding[]): Promise<void> {
    // Retries what DynamoDB leaves unprocessed; throws when its budget is spent (never gives up silently).
    await this.t.batchDelete(findings.map((f) => keys.driftFinding(f.tenantId, f.baselineBackupSetId, f.policyId)));
  }
}
