/** Bench plumbing: DynamoDB Local + fauxqs started once, SDK call counting, timing helpers. */
import { startFauxqs } from 'fauxqs';
import { startDynamoLocal } from '../../infra/local/dynamodb-local.js';

export async function startBenchServices() {
  const dynamo = await startDynamoLocal({ pidDir: '.local/bench-pids' });
  const sqs = await startFauxqs({ port: 0, logger: false } as never);
  return {
    dynamoEndpoint: dynamo.endpoint,
    sqsEndpoint: (sqs as any).address as string,
    async stop() {
      await (sqs as any).stop();
      await dynamo.stop();
    },
  };
}

/** Counts every command sent through the given SDK clients, by command name. */
export function countCalls(...clients: Array<{ middlewareStack: { add: (...a: any[]) => void } }>) {
  const counts = new Map<string, number>();
  for (const c of clients) {
    c.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: unknown) => async (args: unknown) => {
        const name = (context as { commandName?: string }).commandName ?? 'unknown';
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: `count-calls-${Math.random()}` },
    );
  }
  return {
    reset: () => counts.clear(),
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byName: () => Object.fromEntries(counts),
  };
}

export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
export const median = (xs: number[]) => percentile(xs, 50);
export const fmt = (n: number, digits = 2) => n.toFixed(digits);
