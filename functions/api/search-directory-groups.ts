/**
 * RBAC group search (§5): the one read that calls Graph, only as an explicit user action, with the
 * caller's delegated token from X-Graph-Delegated-Token — used for this request only, never stored
 * or logged (the logger never sees headers; errors carry no token).
 */
import { apiHandler } from '../../shared/http/api.js';
import { searchGroupsRoute } from '../../shared/http/backup-schemas.js';
import { HttpProblem } from '../../shared/http/problem.js';
import { GraphError } from '../../shared/graph/errors.js';
import { RoutingSecretResolver } from '../../shared/graph/secrets.js';
import { graphClientsFor } from '../../shared/graph/tenant-clients.js';
import { apiDeps } from '../../shared/http/deps.js';
import { registerSecret } from '../../shared/runs/secret-registry.js';

const signInRequired = () => new HttpProblem(428, 'delegated Graph sign-in required', { title: 'Precondition Required' });

/**
 * The search's whole Graph budget, retries and Retry-After included (issue 13 §5): well inside the
 * API function's timeout, so a slow or throttled Graph is a 503 with Retry-After, never a timeout.
 */
export const GROUP_SEARCH_BUDGET_MS = 5_000;

// The app secret is never used here (searchGroups sends only the delegated token); the client just needs the tenant's Graph address.
const graphFor = graphClientsFor(async (t) => (await apiDeps().directory.getTenant(t))?.graph, new RoutingSecretResolver());

export const handler = apiHandler(searchGroupsRoute, async ({ tenantId, query, headers }) => {
  // Registered as it arrives: the sanitizer redacts it wherever it might show up.
  const token = registerSecret(headers['x-graph-delegated-token']?.trim());
  if (!token) throw signInRequired();
  try {
    const deadline = Date.now() + GROUP_SEARCH_BUDGET_MS;
    const graph = (await graphFor(tenantId)).withBudget(() => deadline - Date.now());
    return { status: 200, body: { items: await graph.searchGroups(query.q, token) } };
  } catch (err) {
    // An expired or foreign delegated token: the user has to sign in to Graph again.
    if (err instanceof GraphError && err.code === 'graph_auth_failed') throw signInRequired();
    if (err instanceof GraphError && err.code === 'graph_forbidden') throw new HttpProblem(403, 'Graph refused the group search for your account.');
    if (err instanceof GraphError && err.transient) {
      // Throttled or unavailable past the budget: tell the caller when to try again (Graph's own wait, at least 1 s).
      const seconds = Math.max(1, Math.ceil((err.deferMs ?? err.retryAfterMs ?? 1000) / 1000));
      throw new HttpProblem(503, 'Microsoft Graph is throttling or unavailable; try the search again later.', { title: 'Service Unavailable', headers: { 'Retry-After': String(seconds) } });
    }
    if (err instanceof GraphError) throw new HttpProblem(502, 'Microsoft Graph could not answer the group search; try again.', { title: 'Bad Gateway' });
    throw err;
  }
});
