import { apiHandler } from '../../shared/http/api.js';
import { operationTypesRoute } from '../../shared/http/schemas.js';
import { operationTypeList } from '../../shared/operations/catalog.js';

const items = operationTypeList();

export const handler = apiHandler(operationTypesRoute, () => ({ status: 200, body: { items } }));
