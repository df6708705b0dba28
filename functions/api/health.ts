import { apiHandler } from '../../shared/http/api.js';
import { healthRoute } from '../../shared/http/schemas.js';

export const handler = apiHandler(healthRoute, () => ({ status: 200, body: { status: 'ok' } }));
