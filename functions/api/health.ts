import { apiHandler } from '../../shared/http/api.js';

export const handler = apiHandler({ auth: false }, () => ({ status: 200, body: { status: 'ok' } }));
