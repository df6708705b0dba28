/** Helpers of the backup / schedule / restore / drift tests: start through the canonical start checks. */
import { makeStores } from '../../shared/store/stores.js';
import { planStart } from '../../shared/operations/catalog.js';
import type { OperationType } from '../../shared/operations/catalog.js';
import type { Initiator, Run } from '../../shared/runs/model.js';
import type { RunService } from '../../shared/runs/service.js';
import { ScheduleStore, type BackupSchedule } from '../../shared/store/schedule-store.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const alice: Initiator = { userId: 'alice', name: 'Alice Admin' };

export interface StartEnv {
  doc: DynamoDBDocumentClient;
  table: string;
  deps: { service: RunService };
}

/** Starts a run the way POST /runs does: start check first (422 before any write), then the run service. */
export async function startChecked(env: StartEnv, type: OperationType, input: Record<string, unknown>, tenantId = 'contoso'): Promise<{ run: Run; deduplicated: boolean }> {
  const plan = await planStart(type, tenantId, input, { stores: makeStores({ doc: env.doc, table: env.table }), clock: () => new Date() });
  return env.deps.service.startRun({ tenantId, type, input, initiator: alice, surface: 'api', ...plan });
}

export async function putSchedule(doc: DynamoDBDocumentClient, table: string, over: Partial<BackupSchedule> & { id: string }): Promise<BackupSchedule> {
  const now = new Date().toISOString();
  const schedule: BackupSchedule = {
    tenantId: 'contoso', name: `Schedule ${over.id}`, cron: '0 2 * * *', categories: ['deviceCompliancePolicies'], keepLast: 7, enabled: true,
    nextRunAt: '2026-01-01T02:00:00.000Z', lastRunId: null, lastSkip: null, createdAt: now, updatedAt: now, version: 1, ...over,
  };
  await new ScheduleStore(doc, table).create(schedule);
  return schedule;
}
