import { CATEGORIES, type Category } from '../runs/catalog.js';
import type { GraphClient, PolicyContent } from './client.js';
import { GraphError } from './errors.js';

/** A policy named by id alone: its category if known, else the first category Graph finds it in. */
export async function fetchPolicy(graph: GraphClient, id: string, category: Category | null): Promise<PolicyContent> {
  if (category) return graph.getPolicy(category, id);
  for (const c of CATEGORIES) {
    try {
      return await graph.getPolicy(c, id);
    } catch (err) {
      if (!(err instanceof GraphError && err.code === 'graph_not_found')) throw err;
    }
  }
  throw new GraphError('graph_not_found', `policy ${id} was not found in any category`, 404);
}
