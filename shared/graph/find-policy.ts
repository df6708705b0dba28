import { CATEGORIES, type Category } from '../runs/catalog.js';
import { checkPolicyId, type GraphClient, type PolicyContent } from './client.js';
import { GraphError } from './errors.js';

/**
 * A policy named by id alone: its category if known, else the first category Graph finds it in. A
 * category that cannot be read (400/403: unavailable for this tenant) is passed over like a 404; if
 * no category has it, the first such refusal is the answer, else graph_not_found.
 */
export async function fetchPolicy(graph: GraphClient, id: string, category: Category | null): Promise<PolicyContent> {
  if (category) return graph.getPolicy(category, id);
  checkPolicyId(id);
  let refused: GraphError | null = null;
  for (const c of CATEGORIES) {
    try {
      return await graph.getPolicy(c, id);
    } catch (err) {
      if (!(err instanceof GraphError)) throw err;
      if (err.code === 'graph_not_found') continue;
      if (err.code === 'graph_bad_request' || err.code === 'graph_forbidden') { refused ??= err; continue; }
      throw err;
    }
  }
  throw refused ?? new GraphError('graph_not_found', `policy ${id} was not found in any category`, 404);
}
