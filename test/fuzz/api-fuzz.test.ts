/**
 * Fuzzing the HTTP API over every route: never a 5xx, problem+json for every error, and a refused
 * request never writes. Seeded; the seed is printed by fast-check on failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { startTestRuntime, type TestApi } from '../support/api.js';
import { routes } from '../../shared/wiring.js';
import { CATEGORIES } from '../../shared/runs/catalog.js';
import { OPERATION_TYPES } from '../../shared/operations/catalog.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestRuntime();
});
afterAll(async () => {
  await api?.runtime.stop();
});

const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const served = routes.filter((r) => existsSync(r.entry) && !r.localOnly);

const segment = fc.oneof(
  fc.constantFrom('contoso', 'fabrikam', 'nope', '01JH7Z9W3K8Q4V2N6B5C1D0EFG', '..', '%2e%2e', '%00', 'a'.repeat(300), '__proto__', "'; DROP TABLE runs; --"),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);
const user = fc.constantFrom('alice', 'bob', 'carol', 'dave', 'mallory', undefined);
const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('10', '0', '-1', '1e9', 'true', '2026-11-01T00:00:00Z', 'system', ...OPERATION_TYPES));
const query = fc.dictionary(fc.constantFrom('type', 'status', 'outcome', 'initiator', 'surface', 'from', 'to', 'limit', 'cursor', 'q', 'search', 'unread', 'tenantId', 'category', 'includeDeleted', 'x'), queryValue, { maxKeys: 4 });
const plausibleBody = fc.record({
  type: fc.oneof(fc.constantFrom(...OPERATION_TYPES), fc.string()),
  input: fc.oneof(
    fc.record({ categories: fc.array(fc.oneof(fc.constantFrom(...CATEGORIES), fc.string()), { maxLength: 8 }) }, { requiredKeys: [] }),
    fc.record({ policyIds: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), backupSetId: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }),
    fc.jsonValue(),
  ),
  surface: fc.constantFrom('api', 'console', 'schedule', 'x'),
}, { requiredKeys: [] });
// Tenants and credentials (issue 19): near-valid bodies, so the fuzz reaches past the schema.
const credential = fc.oneof(
  fc.record({ type: fc.constantFrom('secret', 'certificate', 'x'), secret: fc.oneof(fc.constant('FAKE-fuzz-client-secret'), fc.string({ maxLength: 30 })) }, { requiredKeys: [] }),
  fc.record({ type: fc.constant('certificate'), certificatePem: fc.oneof(fc.constant('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'), fc.string()), privateKeyPem: fc.oneof(fc.constant('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), fc.string()) }, { requiredKeys: [] }),
);
const tenantBody = fc.record({
  tenantId: fc.oneof(fc.constantFrom('contoso', 'fuzz-co', 'Bad Slug', '-x', ''), fc.string({ maxLength: 70 })),
  name: fc.string({ maxLength: 40 }),
  graph: fc.record({
    cloud: fc.constantFrom('global', 'usGovL4', 'china', 'moon'),
    directoryTenantId: fc.oneof(fc.uuid(), fc.constant('fuzz.onmicrosoft.com'), fc.string({ maxLength: 20 })),
    clientId: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })),
    credential,
  }, { requiredKeys: [] }),
  credential,
}, { requiredKeys: [] });
const rawBody = fc.oneof(
  plausibleBody.map((b) => JSON.stringify(b)),
  tenantBody.map((b) => JSON.stringify(b)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"y":1}}}', '{', 'null', '[]', '"', '{"name":' + '"x"'.repeat(10) + '}'),
  fc.constant(undefined),
);

describe('API fuzzing', () => {
  it('never answers 5xx, always problem+json on errors, and refused requests write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...served), segment, segment, user, query, rawBody, async (route, seg1, seg2, who, q, raw) => {
        let n = 0;
        const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'tenantId' ? seg1 : n++ === 0 ? seg2 : seg1));
        const qs = new URLSearchParams(q).toString();
        const before = await api.snapshot();
        const res = await api.call(route.method, `${path}${qs ? `?${qs}` : ''}`, { user: who, raw: route.method === 'GET' ? undefined : raw });
        expect(res.status, `${route.method} ${path}?${qs} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.json).toMatchObject({ status: res.status, title: expect.any(String), detail: expect.any(String) });
          expect(await api.snapshot(), `${route.method} ${path} answered ${res.status} but wrote`).toBe(before);
        }
      }),
      { numRuns: NUM_RUNS, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  }, 300_000);
});
