/**
 * The order of the checks on routes whose role is checked by middleware (§5):
 * 401 token → 413 size → 404 membership → 400 body → 403 role → 422. Each case fails two checks at
 * once, so only the earlier one may answer: moving any check ahead of another fails a case here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { MAX_BODY_BYTES } from '../../shared/http/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestRuntime();
});
afterAll(async () => {
  await api?.runtime.stop();
});

const SETS = '/tenants/contoso/backup-sets';
const SCHEDULES = '/tenants/contoso/backup-schedules';
const oversize = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES + 1) });

// carol: contoso readonly; bob: not a member of contoso; dave: contoso operator (below manager).
const cases: Array<[string, string, string, { user?: string; body?: unknown; raw?: string }, number]> = [
  ['no token, oversize body → 401', 'POST', SETS, { raw: oversize }, 401],
  ['non-member, oversize body → 413', 'POST', SETS, { user: 'bob', raw: oversize }, 413],
  ['readonly member, oversize body → 413', 'POST', SETS, { user: 'carol', raw: oversize }, 413],
  ['non-member, invalid body → 404', 'POST', SETS, { user: 'bob', body: { name: '' } }, 404],
  ['non-member, valid body → 404', 'POST', SETS, { user: 'bob', body: { name: 'Order' } }, 404],
  ['readonly member, invalid body → 400', 'POST', SETS, { user: 'carol', body: { name: '' } }, 400],
  ['readonly member, malformed JSON → 400', 'POST', SETS, { user: 'carol', raw: '{"name":' }, 400],
  ['readonly member, valid body → 403', 'POST', SETS, { user: 'carol', body: { name: 'Order' } }, 403],
  ['operator, invalid schedule body → 400', 'POST', SCHEDULES, { user: 'dave', body: { name: 'Nightly', cron: 'not a cron' } }, 400],
  ['operator, valid schedule body → 403', 'POST', SCHEDULES, { user: 'dave', body: { name: 'Nightly', cron: '0 3 * * *' } }, 403],
  ['readonly member, unknown field → 400', 'PATCH', `${SCHEDULES}/any-id`, { user: 'carol', body: { colour: 'red' } }, 400],
  ['readonly member, valid change → 403', 'PATCH', `${SCHEDULES}/any-id`, { user: 'carol', body: { enabled: false } }, 403],
];

describe('check order on routes whose role is checked by middleware', () => {
  it.each(cases)('%s', async (_name, method, path, opts, status) => {
    const before = await api.snapshot();
    const res = await api.call(method, path, opts);
    expect(res.status, res.text).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json.status).toBe(status);
    expect(await api.snapshot()).toBe(before);
  });
});
