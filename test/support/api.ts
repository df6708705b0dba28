/** Drives the local runtime's HTTP API in-process, against the test run's DynamoDB Local and fauxqs. */
import { inject } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime.js';
import { signLocalToken } from '../../infra/local/jwt.js';
import { makeDocumentClient, makeDynamoClient } from '../../shared/store/clients.js';
import { dynamoEndpoint, uniqueName } from './services.js';

export async function startTestRuntime(opts: Partial<LocalRuntimeOptions> = {}) {
  const runtime = await startLocalRuntime({
    dynamoEndpoint: await dynamoEndpoint(),
    sqsEndpoint: inject('sqsEndpoint'),
    tableName: uniqueName('api'),
    queuePrefix: `${uniqueName('q')}-`,
    port: 0,
    background: false,
    ...opts,
  });
  const doc = makeDocumentClient(makeDynamoClient(runtime.dynamoEndpoint));
  const tokens = new Map<string, string>();
  const USERS: Record<string, string> = { alice: 'Alice Admin', bob: 'Bob Operator', carol: 'Carol Reader', dave: 'Dave Ops', mallory: 'Mallory Outsider' };
  const token = async (user: string) => {
    if (!tokens.has(user)) tokens.set(user, await signLocalToken({ id: user, name: USERS[user] ?? user }));
    return tokens.get(user)!;
  };
  const call = async (method: string, path: string, opts: { user?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.user) headers.authorization = `Bearer ${await token(opts.user)}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${runtime.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: any = undefined;
    try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  };
  /** Every item in the table: only tests may scan, to prove that a refused request wrote nothing. */
  const snapshot = async () => {
    const out = await doc.send(new ScanCommand({ TableName: runtime.tableName, ConsistentRead: true }));
    return JSON.stringify((out.Items ?? []).sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`)));
  };
  return { runtime, call, token, snapshot, doc };
}

export type TestApi = Awaited<ReturnType<typeof startTestRuntime>>;
export type { LocalRuntime };
