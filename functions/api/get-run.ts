import { apiHandler } from '../../shared/http/api.js';
import { getRunRoute } from '../../shared/http/schemas.js';
import { toApiRun } from '../../shared/runs/model.js';
import { runService } from '../../shared/http/deps.js';

export const handler = apiHandler(getRunRoute, async ({ tenantId, params, headers, deps }) => {
  const run = await runService(deps).getRun(tenantId, params.runId);
  // The version changes with every write, so it is a faithful validator of the representation.
  const etag = `"${run.id}.${run.version}"`;
  const cache = { etag, 'cache-control': 'no-cache' };
  const given = headers['if-none-match'];
  if (given && given.split(',').map((t) => t.trim().replace(/^W\//, '')).some((t) => t === etag || t === '*')) {
    return { status: 304, headers: cache };
  }
  return { status: 200, headers: cache, body: toApiRun(run) };
});
