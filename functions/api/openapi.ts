import { apiHandler } from '../../shared/http/api.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
// Modules that document their own routes (documentRoute) register when imported.
import '../../shared/http/notification-schemas.js';
import '../../shared/http/read-schemas.js';
import '../../shared/http/backup-schemas.js';

export const handler = apiHandler({ auth: false }, () => ({ status: 200, body: buildOpenApi() }));
