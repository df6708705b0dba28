/**
 * GET /health and GET /openapi.json are served by dependency-free handlers (issue 18); they answer
 * what the full pipeline (`apiHandler` over `publicRoute()`) answers: 413 problem+json for a body
 * over MAX_BODY_BYTES (raw or base64), otherwise 200 JSON.
 */
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../shared/http/api.js';
import { MAX_BODY_BYTES, problemResponse } from '../../shared/http/api.js';
import { problems } from '../../shared/http/problem.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { handler as health } from '../../functions/api/health.js';
import { handler as openapi } from '../../functions/api/openapi.js';

const event = (body?: string, isBase64Encoded = false) =>
  ({ rawPath: '/', headers: {}, body, isBase64Encoded, requestContext: { requestId: 'r' } }) as unknown as ApiEvent;

describe('public static handlers', () => {
  const big = 'x'.repeat(MAX_BODY_BYTES + 1);

  it.each([['health', health], ['openapi', openapi]] as const)('%s: an oversized body is the pipeline’s 413 problem', async (_, handler) => {
    const expected = problemResponse(problems.tooLarge(MAX_BODY_BYTES));
    expect(await handler(event(big))).toEqual(expected);
    expect(await handler(event(Buffer.from(big).toString('base64'), true))).toEqual(expected);
    // exactly at the limit is fine
    expect(await handler(event('x'.repeat(MAX_BODY_BYTES)))).toMatchObject({ statusCode: 200 });
  });

  it('health answers 200 {status: ok}', async () => {
    expect(await health(event())).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' });
  });

  it('openapi answers the document the schemas generate', async () => {
    const res = await openapi(event());
    expect(res).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse((res as { body: string }).body)).toEqual(buildOpenApi());
  });
});
