/**
 * The handler of a public route whose answer is a constant (GET /health, GET /openapi.json): the
 * same answers as `apiHandler(route, fn)` over `publicRoute()` — 413 problem+json for a body over
 * MAX_BODY_BYTES, otherwise 200 with the JSON — without the API's dependencies (middy, zod, the
 * logger, the stores, the SDK clients), so these functions bundle in a few KiB and start at once
 * (issue 18). The route's declaration (defineRoute in ./schemas.ts) still documents it in
 * /openapi.json; test/integration/api-runs.test.ts checks both answers over HTTP.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { limitBodySize, type ApiEvent } from './body-limit.js';
import { HttpProblem, problemResponse } from './problem-core.js';

/** `body` is serialized once per container, on the first request. */
export function publicJsonHandler(body: () => unknown) {
  let json: string | undefined;
  return async (event: ApiEvent): Promise<APIGatewayProxyResultV2> => {
    try {
      limitBodySize.run({ event });
    } catch (err) {
      if (err instanceof HttpProblem) return problemResponse(err);
      throw err;
    }
    json ??= JSON.stringify(body());
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: json };
  };
}
