/**
 * `npm start`: the whole product on one machine (§10). Prints where the API and console are and how
 * to log in; Ctrl-C stops everything it started, Java included.
 */
import './early-env.js'; // before anything that reads the settings
import { JavaMissingError, PortInUseError } from './dynamodb-local.js';
import { startLocalRuntime, type LocalRuntime } from './runtime.js';
import { SEED_USERS } from './seed.js';
import { consoleFallback } from '../../console/serve.js';
import { stopOnSignals } from './shutdown.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);

async function main() {
  // Installed before anything starts: a signal during start-up waits for the runtime, then stops it.
  let starting: Promise<LocalRuntime> | undefined;
  stopOnSignals(async () => { await (await starting?.catch(() => undefined))?.stop(); }, {
    exitCode: 0,
    onSignal: (signal) => console.log(`\n${signal}: stopping…`),
  });
  starting = startLocalRuntime({
    port,
    dynamoPort: Number(env.DYNAMODB_PORT ?? 8000),
    stateDir: env.LOCAL_STATE_DIR ?? '.local',
    inMemory: env.LOCAL_IN_MEMORY === '1',
    graphSimPort: Number(env.GRAPH_SIM_PORT ?? 3001),
    log: env.LOCAL_LOG_REQUESTS === '1' ? (l) => console.log(l) : (l) => { if (/failed|consumer|stop step/.test(l)) console.error(l); },
    // The monitoring console at /console (and / → /console), built once in memory.
    fallback: await consoleFallback(),
  });
  const runtime = await starting;

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
