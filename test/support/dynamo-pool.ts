/**
 * A fresh DynamoDB Local for every test file that uses one, started ahead of time.
 *
 * One DynamoDB Local for the whole run slowed down as the run went on (measured 2026-11-27: the
 * 1,000-schedule fan-out took 88 s on a fresh instance and over 420 s after the chaos files had gone
 * through the same one, tables dropped or not), and a file's load reached into the next files as lock
 * timeouts. So the global setup (test/global-setup.ts) keeps `spares` instances booted and waiting;
 * a file leases one on first use (test/support/services.ts `dynamoEndpoint()`), the pool boots the
 * next spare at once, and the file's end (test/support/dynamo-per-file.ts) releases and stops it.
 * A JVM boots in the background while the previous file runs, so a file rarely waits for one.
 *
 * The workers reach the pool over a loopback HTTP endpoint (`POST /lease`, `POST /release`): vitest
 * runs test files in child processes, and the pool lives in the main one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDynamoLocal, type DynamoLocal } from '../../infra/local/dynamodb-local.js';

export interface DynamoPool {
  url: string;
  /** How many instances were leased (for the teardown's line). */
  leases(): number;
  stop(): Promise<void>;
}

export async function startDynamoPool(opts: { spares: number; pidDir: string }): Promise<DynamoPool> {
  const boot = () => {
    const p = startDynamoLocal({ pidDir: opts.pidDir });
    p.catch(() => undefined); // surfaced to the file that leases it
    return p;
  };
  const spares: Array<Promise<DynamoLocal>> = Array.from({ length: Math.max(1, opts.spares) }, boot);
  const leased = new Map<string, DynamoLocal>();
  const stopping = new Set<Promise<void>>();
  let count = 0;
  let stopped = false;

  const lease = async (): Promise<DynamoLocal> => {
    const next = spares.shift()!;
    if (!stopped) spares.push(boot());
    const instance = await next;
    leased.set(instance.endpoint, instance);
    count++;
    return instance;
  };
  const release = (endpoint: string) => {
    const instance = leased.get(endpoint);
    if (!instance) return false;
    leased.delete(endpoint);
    const p = instance.stop().finally(() => stopping.delete(p));
    stopping.add(p);
    return true;
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      try {
        if (req.method === 'POST' && req.url === '/lease') {
          const instance = await lease();
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ endpoint: instance.endpoint }));
        } else if (req.method === 'POST' && req.url === '/release') {
          const ok = release(String(JSON.parse(body || '{}').endpoint ?? ''));
          res.writeHead(ok ? 204 : 404).end();
        } else {
          res.writeHead(404).end();
        }
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String((err as Error).message ?? err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    leases: () => count,
    async stop() {
      stopped = true;
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections?.();
      const all = [...leased.values()].map((i) => i.stop());
      leased.clear();
      const waiting = spares.splice(0).map((p) => p.then((i) => i.stop(), () => undefined));
      await Promise.all([...all, ...waiting, ...stopping]);
    },
  };
}
