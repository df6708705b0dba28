/**
 * `npm start`: the whole product on one machine (§10). Prints where the API and console are and how
 * to log in; Ctrl-C stops everything it started, Java included.
 */
import { JavaMissingError, PortInUseError } from './dynamodb-local.js';
import { startLocalRuntime } from './runtime.js';
import { SEED_USERS } from './seed.js';
import { consoleFallback } from '../../console/serve.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);

async function main() {
  const runtime = await startLocalRuntime({
    port,
    dynamoPort: Number(env.DYNAMODB_PORT ?? 8000),
    stateDir: env.LOCAL_STATE_DIR ?? '.local',
    inMemory: env.LOCAL_IN_MEMORY === '1',
    graphSimPort: Number(env.GRAPH_SIM_PORT ?? 3001),
    log: env.LOCAL_LOG_REQUESTS === '1' ? (l) => console.log(l) : (l) => { if (/failed|consumer|stop step/.test(l)) console.error(l); },
    // The monitoring console at /console (and / → /console), built once in memory.
    fallback: await consoleFallback(),
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  const users = SEED_USERS.map((u) => `${u.id} (${u.memberships.map((m) => `${m.tenantId} ${m.role}`).join(', ')})`).join('\n    ');
  console.log(`
Operation Runs is running locally.

  API       ${runtime.url}        (OpenAPI: ${runtime.url}/openapi.json)
  Console   ${runtime.url}/console
  DynamoDB  ${runtime.dynamoEndpoint}   SQS (fauxqs) ${runtime.sqsEndpoint}
  Graph     ${runtime.graphSim?.url ?? '-'}   (simulated Microsoft Graph)

Log in (local only):
  curl -s -X POST ${runtime.url}/dev/login -H 'content-type: application/json' -d '{"userId":"alice"}'
  then send  Authorization: Bearer <token>
  Seeded users:
    ${users}

Press Ctrl-C to stop.`);
}

main().catch((err) => {
  if (err instanceof JavaMissingError || err instanceof PortInUseError) {
    console.error(`\n${err.message}\n`);
    process.exit(1);
  }
  if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`\nPort ${port} is already in use. Set PORT (and DYNAMODB_PORT / GRAPH_SIM_PORT) to free ports and try again.\n`);
    process.exit(1);
  }
  console.error(`\nCould not start: ${(err as Error).message}\n`);
  process.exit(1);
});
