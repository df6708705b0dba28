/** What the console knows about the caller: who they are, their tenants and roles, the operation catalog. */
import { get } from './api.js';
import type { Me, OperationType, Role } from './types.js';

let me: Me | null = null;
let operationTypes: OperationType[] | null = null;

export async function loadMe(force = false): Promise<Me> {
  if (!me || force) me = await get<Me>('/me');
  return me;
}

export async function loadOperationTypes(): Promise<OperationType[]> {
  operationTypes ??= (await get<{ items: OperationType[] }>('/operation-types')).items;
  return operationTypes;
}

export const roleIn = (tenantId: string): Role | null => me?.memberships.find((m) => m.tenantId === tenantId)?.role ?? null;

export function clearState(): void {
  me = null;
  operationTypes = null;
}
