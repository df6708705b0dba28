import { apiHandler } from '../../shared/http/api.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { openApiRoute } from '../../shared/http/schemas.js';

// Built once per container; its server is '/', relative to wherever the document is served (OpenAPI 3.1 §4.8.5).
const document = buildOpenApi();

export const handler = apiHandler(openApiRoute, () => ({ status: 200, body: document }));
