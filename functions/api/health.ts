import { publicJsonHandler } from '../../shared/http/public-handler.js';

// Declared (and documented) as healthRoute in shared/http/schemas.ts; dependency-free so it starts at once.
export const handler = publicJsonHandler(() => ({ status: 'ok' }));
