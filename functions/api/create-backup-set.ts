import { ulid } from 'ulid';
import { apiHandler } from '../../shared/http/api.js';
import { createBackupSetRoute } from '../../shared/http/backup-schemas.js';
import { type BackupSet } from '../../shared/store/backup-store.js';
import { backupStore } from '../../shared/store/stores.js';

export const handler = apiHandler(createBackupSetRoute, async ({ tenantId, body, user, deps }) => {
  const now = deps.clock();
  const set: BackupSet = {
    id: ulid(now.getTime()), tenantId, name: body.name, status: 'complete', itemCount: 0, createdAt: now.toISOString(),
    createdBy: { userId: user.id, name: user.name }, scheduleId: null, runId: null, completedAt: now.toISOString(),
  };
  await backupStore(deps.stores).createSet(set);
  return { status: 201, headers: { location: `/tenants/${encodeURIComponent(tenantId)}/backup-sets/${set.id}` }, body: set };
});
