/**
 * Builds the console with esbuild (in memory, once) and serves it:
 *  - locally, as the `fallback` of the local runtime: `/console` and `/console/*` (a single-page app,
 *    so every non-asset path answers index.html), assets under `/console/assets/`, `/` → `/console`;
 *  - in AWS, as files for a static host (S3 + CloudFront): `writeConsole(dir, { apiUrl })`.
 * Every answer carries a strict Content-Security-Policy: scripts and styles only from this origin,
 * no inline code, API calls only to the API (docs/CONSOLE.md).
 */
import { build } from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleConfig } from './src/config.js';

/**
 * What the local runtime's gateway falls back to (structurally its `Fallback`): true when it answered.
 * Declared here so the console does not depend on the local runtime that hosts it.
 */
export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

const CONSOLE_DIR = path.dirname(new URL(import.meta.url).pathname);
const OUT = '/console-build';

export interface ConsoleAsset { body: Buffer; contentType: string }

export interface ConsoleBundle {
  /** asset name under /console/assets/ → content */
  assets: Map<string, ConsoleAsset>;
  /** index.html with `<!--CSP-META-->` still in it */
  indexTemplate: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export async function buildConsole(opts: { minify?: boolean } = {}): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: [
      { in: path.join(CONSOLE_DIR, 'src/main.ts'), out: 'app' },
      { in: path.join(CONSOLE_DIR, 'styles/app.css'), out: 'app' },
    ],
    outdir: OUT,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: opts.minify ?? true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  const assets = new Map<string, ConsoleAsset>();
  for (const f of result.outputFiles) {
    const name = path.relative(OUT, f.path);
    assets.set(name, { body: Buffer.from(f.contents), contentType: TYPES[path.extname(name)] ?? 'application/octet-stream' });
  }
  return { assets, indexTemplate: await readFile(path.join(CONSOLE_DIR, 'index.html'), 'utf8') };
}

/** The policy: nothing inline, nothing from elsewhere except the API (and the sign-in issuer). */
export function contentSecurityPolicy(connectSrc: string[] = [], opts: { meta?: boolean } = {}): string {
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...connectSrc].join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    // frame-ancestors is ignored in a <meta> policy; a static host sets it as a header.
    ...(opts.meta ? [] : ["frame-ancestors 'none'"]),
  ];
  return directives.join('; ');
}

const securityHeaders = (csp: string) => ({
  'content-security-policy': csp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
});

/** The local fallback: builds once, then answers from memory. */
export async function consoleFallback(): Promise<ConsoleHandler> {
  const bundle = await buildConsole();
  const csp = contentSecurityPolicy();
  const index = Buffer.from(bundle.indexTemplate.replace('<!--CSP-META-->', ''));
  // Same origin, local sign-in: the defaults, written out so the app need not guess.
  const config = Buffer.from(JSON.stringify({ apiBase: '', auth: { mode: 'dev' } } satisfies ConsoleConfig));

  const send = (req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, contentType: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': String(body.length), ...securityHeaders(csp), ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const p = url.pathname;
    if (p === '/') {
      res.writeHead(302, { location: '/console' });
      res.end();
      return true;
    }
    if (p !== '/console' && !p.startsWith('/console/')) return false;
    if (p === '/console/config.json') return send(req, res, 200, config, TYPES['.json']);
    if (p.startsWith('/console/assets/')) {
      const asset = bundle.assets.get(p.slice('/console/assets/'.length));
      return asset ? send(req, res, 200, asset.body, asset.contentType) : send(req, res, 404, Buffer.from('Not found'), 'text/plain; charset=utf-8');
    }
    return send(req, res, 200, index, TYPES['.html']);
  };
}

export interface StaticConsoleOptions {
  /** the HTTP API's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com */
  apiUrl: string;
  /** OIDC sign-in (authorization code + PKCE); without it the console offers local sign-in, which AWS does not have */
  oidc?: { issuer: string; clientId: string; scope?: string; redirectUri?: string };
  /** more origins the console may call (e.g. an IdP whose token endpoint is not on the issuer's host) */
  extraConnectSrc?: string[];
}

/**
 * Writes the console as a static site: `console/index.html`, `console/assets/*`, `console/config.json`
 * under `dir`, so the host serves it under `/console` (rewrite unknown `/console/*` paths to
 * `/console/index.html`). The CSP goes in a <meta> tag too, for hosts that cannot set headers.
 */
export async function writeConsole(dir: string, opts: StaticConsoleOptions): Promise<string[]> {
  const bundle = await buildConsole();
  const origins = [new URL(opts.apiUrl).origin, ...(opts.oidc ? [new URL(opts.oidc.issuer).origin] : []), ...(opts.extraConnectSrc ?? [])];
  const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(origins, { meta: true })}">`;
  const config: ConsoleConfig = {
    apiBase: opts.apiUrl.replace(/\/+$/, ''),
    auth: opts.oidc ? { mode: 'oidc', ...opts.oidc } : { mode: 'dev' },
  };
  const root = path.join(dir, 'console');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  const written: string[] = [];
  const put = async (rel: string, body: Buffer | string) => {
    await writeFile(path.join(root, rel), body);
    written.push(path.join(root, rel));
  };
  await put('index.html', bundle.indexTemplate.replace('<!--CSP-META-->', meta));
  await put('config.json', JSON.stringify(config, null, 2));
  for (const [name, asset] of bundle.assets) await put(path.join('assets', name), asset.body);
  return written;
}
