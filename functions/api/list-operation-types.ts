import { apiHandler } from '../../shared/http/api.js';
import { operationTypeList } from '../../shared/operations/catalog.js';

const items = operationTypeList();

export const handler = apiHandler({}, () => ({ status: 200, body: { items } }));
