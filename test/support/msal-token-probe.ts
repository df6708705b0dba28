/**
 * A Lambda-shaped entry for test/infra/split-bundling.test.ts, never deployed. With `settings` and
 * `secret`: the worker's app-token path alone (GraphClient + msalAppTokens), so a bundle built by
 * NodejsFunction can be run against the simulated token endpoint without DynamoDB. With `endpoint`:
 * the worker's lazily loaded SQS client sends one message there, and its Secrets Manager client
 * (endpoint from AWS_ENDPOINT_URL_SECRETS_MANAGER) reads one secret, to show that their chunks load;
 * the endpoint is no AWS service, so each answers the error it got (or that its chunk is missing).
 */
import { GraphClient, type GraphSettings } from '../../shared/graph/client.js';
import { msalAppTokens } from '../../shared/graph/msal-tokens.js';
import { parseCredential } from '../../shared/graph/secrets.js';
import { LazySqsWorkQueue } from '../../shared/queue/lazy-sqs-work-queue.js';
import { readSecretString } from '../../shared/store/secret-read.js';

type ProbeEvent = { settings: GraphSettings; secret: string } | { endpoint: string };

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (err: Error & { code?: string }) => err.code ?? err.name);

export async function handler(event: ProbeEvent) {
  if ('endpoint' in event) {
    const sqs = new LazySqsWorkQueue(`${event.endpoint}/queue/work`, { endpoint: event.endpoint });
    return {
      sqs: await outcome(sqs.send({ runId: 'probe', tenantId: 'contoso', type: 'inventory.sync' })),
      secretsManager: await outcome(readSecretString('probe-secret')),
    };
  }
  const secrets = { resolve: async (ref: string) => parseCredential(ref, event.secret) };
  const client = new GraphClient({ settings: event.settings, secrets, appTokens: msalAppTokens });
  const page = await client.listGroups();
  return { groups: page.items.length };
}
