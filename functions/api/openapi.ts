import { apiHandler } from '../../shared/http/api.js';
import { buildOpenApi } from '../../shared/http/openapi.js';

export const handler = apiHandler({ auth: false }, () => ({ status: 200, body: buildOpenApi() }));
