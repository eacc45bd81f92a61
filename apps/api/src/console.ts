import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';

/** One demo role the sign-in page offers with one click (`pnpm start` only). */
interface DemoToken {
  label: string;
  role: string;
  organizationId?: string;
  token: string;
}

/** Where the built admin console lives and, in the `pnpm start` demo, the demo tokens. */
export interface ConsoleOptions {
  /** The admin console's `dist` folder (default: apps/admin/dist next to this package). */
  dir?: string;
  /** Offered by `GET /demo-tokens`; ignored when NODE_ENV=production. */
  demoTokens?: DemoToken[];
}

/**
 * The built console: in a production build (and so in its `pnpm deploy` folder) the copy the API's
 * build puts in `dist/console`, beside the bundle; from the sources, apps/admin/dist in the monorepo.
 */
const DEFAULT_CONSOLE_DIR = existsSync(resolve(import.meta.dirname, 'console/index.html'))
  ? resolve(import.meta.dirname, 'console')
  : resolve(import.meta.dirname, '../../admin/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Paths the API owns: never answered with the console's index.html. */
const API_PREFIXES = ['/trpc', '/healthz', '/metrics', '/demo-tokens'];

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Meander admin console</title></head>
<body><main><h1>The admin console is not built</h1><p>Run <code>pnpm --filter @meander/admin build</code> (or <code>pnpm start</code>, which builds it) and reload.</p></main></body></html>`;

/**
 * True for `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`: the host name of a request URL
 * (the Node server builds it from the Host header; brackets of an IPv6 literal included).
 */
function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

/** The file under `root` a URL path names, or null (missing, a folder, or outside `root`). */
function fileFor(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = normalize(join(root, decoded));
  if (file !== root && !file.startsWith(root + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

function send(file: string, cacheControl: string, method: string): Response {
  const stat = statSync(file);
  const headers = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(stat.size),
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  };
  if (method === 'HEAD') return new Response(null, { headers });
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, { headers });
}

/**
 * Serve the admin console at `/`: Vite's content-hashed files under /assets are immutable for a
 * year, everything else (index.html above all) is revalidated on every load so a new deploy shows
 * at once. Client routes (/history, /syncs/…) fall back to index.html when a browser asks for HTML;
 * API paths are never shadowed.
 */
export function mountConsole(app: Hono, options: ConsoleOptions = {}): void {
  const root = resolve(options.dir ?? DEFAULT_CONSOLE_DIR);
  const demo = process.env.NODE_ENV === 'production' ? [] : (options.demoTokens ?? []);

  app.get('/demo-tokens', (c) => {
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 reaches this
    // server with its own name in Host. Demo tokens go only to a loopback Host.
    if (!isLoopbackHost(new URL(c.req.url).hostname)) {
      return c.json({ error: 'not_found', message: 'Demo tokens are served to a loopback host only' }, 404);
    }
    return c.json({ demo: demo.length > 0, tokens: demo }, 200, { 'cache-control': 'no-store' });
  });

  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    const path = c.req.path;
    if (API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return next();
    const index = join(root, 'index.html');
    if (path !== '/' && path !== '/index.html') {
      const file = fileFor(root, path);
      if (file) {
        const immutable = path.startsWith('/assets/');
        return send(file, immutable ? 'public, max-age=31536000, immutable' : 'no-cache', c.req.method);
      }
      // A missing hashed asset is a 404, never index.html (a stale tab would parse HTML as JS).
      if (path.startsWith('/assets/')) return next();
      if (!(c.req.header('accept') ?? '').includes('text/html')) return next();
    }
    if (!existsSync(index)) return c.html(NOT_BUILT, 200, { 'cache-control': 'no-cache' });
    return send(index, 'no-cache', c.req.method);
  });
}
