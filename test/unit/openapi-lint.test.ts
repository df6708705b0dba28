/**
 * /openapi.json passes Redocly's recommended ruleset with 0 errors and 0 warnings, and documents
 * every problem a route's middlewares can answer.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { routeSpecs } from '../../shared/http/routes.js';
import { routes } from '../../shared/wiring.js';
import { readFileSync } from 'node:fs';
import { OPENAPI_DOCUMENT_FILE, serializeDocument } from '../../scripts/openapi-document.js';

const run = promisify(execFile);
const REDOCLY = resolve('node_modules/.bin/redocly');
const doc = buildOpenApi();
type Op = { responses: Record<string, unknown>; security: unknown[] };
const op = (method: string, path: string) => (doc.paths[path] as Record<string, Op>)[method.toLowerCase()];

describe('the OpenAPI document', () => {
  it('GET /openapi.json serves exactly what the schemas generate (shared/http/openapi.document.json; `npm run openapi` regenerates it)', () => {
    expect(readFileSync(OPENAPI_DOCUMENT_FILE, 'utf8'), 'stale: run `npm run openapi`').toBe(serializeDocument(doc));
  });

  it('passes `redocly lint --extends recommended` with 0 errors and 0 warnings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(doc, null, 2));
      const out = await run(REDOCLY, ['lint', file, '--extends', 'recommended', '--format', 'summary'], { env: { ...process.env, NO_COLOR: '1', REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } })
        .then(({ stdout, stderr }) => ({ code: 0, text: `${stdout}\n${stderr}` }))
        .catch((err: { code?: number; stdout?: string; stderr?: string }) => ({ code: err.code ?? 1, text: `${err.stdout ?? ''}\n${err.stderr ?? ''}` }));
      expect(out.code, out.text).toBe(0);
      expect(out.text, out.text).not.toMatch(/\b[1-9]\d* (error|warning)s?\b/);
      expect(out.text, out.text).toMatch(/valid/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('lists servers and a license', () => {
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.info.license.name).toBeTruthy();
  });

  it('every deployed route has one declaration, and its security matches the wiring', () => {
    for (const r of routes.filter((x) => !x.localOnly)) {
      const specs = routeSpecs.filter((s) => s.method === r.method && s.path === r.path);
      expect(specs, `${r.method} ${r.path}`).toHaveLength(1);
      expect(specs[0].pipeline.authenticated, `${r.method} ${r.path}`).toBe(r.auth);
      expect(op(r.method, r.path).security, `${r.method} ${r.path}`).toEqual(r.auth ? [{ bearer: [] }] : []);
    }
  });

  it('lists the 4XX of each route: from its middlewares and from its handler', () => {
    const statuses = (method: string, path: string) => Object.keys(op(method, path).responses).filter((k) => /^4/.test(k)).sort();
    expect(statuses('POST', '/tenants/{tenantId}/backup-sets')).toEqual(['400', '401', '403', '404', '413']);
    expect(statuses('GET', '/tenants/{tenantId}/backup-sets')).toEqual(['400', '401', '404', '413']);
    expect(statuses('POST', '/tenants/{tenantId}/runs')).toEqual(['400', '401', '403', '404', '413', '422', '429']);
    expect(statuses('POST', '/tenants/{tenantId}/runs/{runId}/cancel')).toEqual(['401', '403', '404', '409', '413']);
    expect(statuses('GET', '/me')).toEqual(['401', '413']);
    expect(statuses('GET', '/health')).toEqual(['413']);
    // A middleware's problem and the handler's own under one status share one entry.
    expect(JSON.stringify(op('GET', '/tenants/{tenantId}/backup-sets/{backupSetId}').responses['404'])).toMatch(/not a member.*unknown set/);
  });

  it('names each route kind by its middlewares, in the order 401 → 413 → 404 → 400 → 403', () => {
    const spec = routeSpecs.find((s) => s.method === 'POST' && s.path === '/tenants/{tenantId}/backup-sets');
    expect(spec?.pipeline.names).toEqual(['authenticate', 'limitBodySize', 'tenantMembership', 'parseInput', 'requireRole(operator)']);
    expect(spec?.pipeline.problems.map((p) => p.status)).toEqual([401, 413, 404, 400, 403]);
  });
});
