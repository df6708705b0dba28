import { publicJsonHandler } from '../../shared/http/public-handler.js';
// Generated from the route declarations and their validation schemas (npm run openapi; a unit test
// keeps it equal to buildOpenApi()): a JSON module, so this function bundles no zod and no routes.
import document from '../../shared/http/openapi.document.json' with { type: 'json' };

// Declared as openApiRoute in shared/http/schemas.ts. Its server is '/', relative to wherever the document is served (OpenAPI 3.1 §4.8.5).
export const handler = publicJsonHandler(() => document);
