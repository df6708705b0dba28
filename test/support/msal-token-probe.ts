/**
 * A Lambda-shaped entry for test/infra/split-bundling.test.ts: the worker's app-token path alone
 * (GraphClient + msalAppTokens), so a bundle built by NodejsFunction can be run against the simulated
 * token endpoint without DynamoDB. It is never deployed.
 */
import { GraphClient, type GraphSettings } from '../../shared/graph/client.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { parseCredential } from '../../shared/graph/secrets.js';

export async function handler(event: { settings: GraphSettings; secret: string }) {
  const secrets = { resolve: async (ref: string) => parseCredential(ref, event.secret) };
  const client = new GraphClient({ settings: event.settings, secrets, appTokens: msalAppTokens });
  const page = await client.listGroups();
  return { groups: page.items.length };
}
