/**
 * The console's browser tests share one harness: the real local runtime in-process (with its
 * simulated Graph) and Debian's Chromium driven by playwright-core, with the flags this machine needs.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.js';
import type { GraphSim } from '../../infra/local/graph-sim.js';
import { consoleFallback } from '../../console/serve.js';
import { dynamoEndpoint, uniqueName } from './services.js';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const SCREENSHOTS = path.resolve('test-results');
/** In CI a missing browser is an error (beforeAll throws), not a skip. */
export const runInBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);

export interface ConsoleHarness {
  runtime: LocalRuntime;
  sim: GraphSim;
  context: BrowserContext;
  stop(): Promise<void>;
}

/** Starts a local runtime on its own table and queues, and a Chromium profile of its own. */
export async function startConsoleHarness(name: string): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install it with apt-get install -y chromium`);
  const runtime = await startLocalRuntime({
    dynamoEndpoint: await dynamoEndpoint(),
    sqsEndpoint: inject('sqsEndpoint'),
    tableName: uniqueName(name),
    queuePrefix: `${uniqueName(name)}-`,
    port: 0,
    fallback: await consoleFallback(),
  });
  // The runtime's own simulated Graph (the seeded tenants point at it); tests slow it down at will.
  if (!runtime.graphSim) throw new Error('the local runtime started no simulated Graph');
  const sim = runtime.graphSim;
  sim.setLatency(5);
  const profileDir = await mkdtemp(path.join(tmpdir(), `console-${name}-chromium-`));
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    runtime, sim, context,
    stop: async () => {
      await context.close().catch(() => undefined);
      await runtime.stop();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a harness for the calling describe block (beforeAll, 120 s) and stops it after (afterAll).
 * `onStart` receives it once started (to set the block's own variables); the answer reads it later.
 */
export function useConsoleHarness(name: string, onStart?: (h: ConsoleHarness) => void): () => ConsoleHarness {
  let harness: ConsoleHarness | undefined;
  beforeAll(async () => {
    harness = await startConsoleHarness(name);
    onStart?.(harness);
  }, 120_000);
  afterAll(async () => {
    await harness?.stop();
  });
  return () => {
    if (!harness) throw new Error(`the ${name} console harness has not started`);
    return harness;
  };
}

/** A page watcher collecting the Content-Security-Policy violations the browser reports on the console. */
export const watchCsp = (into: string[]) => (page: Page) => {
  page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) into.push(m.text()); });
};

/** Opens the console's sign-in page in a new page; `pageErrors` collects uncaught page errors, `watch` sees the page first. */
export async function openSignIn(harness: Pick<ConsoleHarness, 'runtime' | 'context'>, pageErrors: string[] = [], watch?: (page: Page) => void): Promise<Page> {
  const page = await harness.context.newPage();
  watch?.(page);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${harness.runtime.url}/console`);
  await page.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
  return page;
}

/** Opens the console in a new page and signs in as `userId` with the local sign-in form (see openSignIn). */
export async function signInAs(harness: Pick<ConsoleHarness, 'runtime' | 'context'>, userId: string, pageErrors: string[] = [], watch?: (page: Page) => void): Promise<Page> {
  const page = await openSignIn(harness, pageErrors, watch);
  await page.getByLabel('User', { exact: true }).selectOption(userId);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: /^Runs — / }).waitFor();
  return page;
}

/** Calls the local API as `userId` (a token from the local runtime's /dev/login), answering status and JSON body. */
export async function apiAs<T = any>(runtime: LocalRuntime, userId: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const login = await fetch(`${runtime.url}/dev/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${runtime.url}${p}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
}
