import { apiHandler } from '../../shared/http/api.js';
import { operationTypeList } from '../../shared/runs/catalog.js';

const items = operationTypeList();

export const handler = apiHandler({}, () => ({ status: 200, body: { items } }));
