import { trpcServer } from '@hono/trpc-server';
import type { Database } from '@meander/db';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { principalFromHeader } from './auth/principal.js';
import { type ConsoleOptions, mountConsole } from './console.js';
import { type Logger, silentLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { appRouter } from './routers/index.js';
import type { Context, InnerContext } from './trpc/context.js';

/** What the app needs; everything but `db` and `jwtSecret` has a default. */
export interface AppDeps {
  db: Database;
  jwtSecret: string;
  logger?: Logger;
  staleAfterSeconds?: number;
  now?: () => Date;
  progressPollMs?: number;
  /** Largest request body accepted (default 1 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** The admin console served at `/` (the built apps/admin by default); `false` serves none. */
  console?: ConsoleOptions | false;
}

/** The tRPC route a request is for (for metrics: never raw URLs with ids in them). */
function routeOf(path: string): string {
  if (path.startsWith('/trpc/'))
    return `/trpc/${path.slice(6).split(',').slice(0, 5).join(',').slice(0, 120)}`;
  return ['/healthz', '/metrics'].includes(path) ? path : 'other';
}

/** The Hono app: tRPC under /trpc, /healthz, /metrics, and the admin console at `/`. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? silentLogger;
  const metrics = new Metrics();
  const inner: InnerContext = {
    db: deps.db,
    logger,
    metrics,
    now: deps.now ?? (() => new Date()),
    staleAfterSeconds: deps.staleAfterSeconds ?? 120,
    progressPollMs: deps.progressPollMs ?? 250,
  };
  const app = new Hono();

  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routeOf(c.req.path);
    metrics.countHttp(c.req.method, route, c.res.status);
    logger.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  app.get('/healthz', async (c) => {
    try {
      await deps.db.ping();
      return c.json({ ok: true, database: deps.db.dialect });
    } catch {
      return c.json({ ok: false, database: deps.db.dialect, error: 'database unreachable' }, 503);
    }
  });

  app.get('/metrics', async (c) => {
    try {
      return c.text(await metrics.render(deps.db, inner.staleAfterSeconds), 200, {
        'content-type': 'text/plain; version=0.0.4',
      });
    } catch {
      return c.text('# database unreachable\n', 503);
    }
  });

  app.use(
    '/trpc/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? 1024 * 1024,
      onError: (c) =>
        c.json(
          {
            error: {
              message: 'Request body too large',
              code: -32600,
              data: {
                code: 'PAYLOAD_TOO_LARGE',
                httpStatus: 413,
                domainCode: 'VALIDATION_FAILED',
                issues: [],
              },
            },
          },
          413,
        ),
    }),
  );
  app.use(
    '/trpc/*',
    trpcServer({
      router: appRouter,
      endpoint: '/trpc',
      createContext: async (_opts, c) => {
        const auth = await principalFromHeader(c.req.header('authorization'), deps.jwtSecret);
        const context: Context = {
          ...inner,
          principal: 'principal' in auth ? auth.principal : null,
          authFailure: 'failure' in auth ? auth.failure : null,
          requestId: String(c.get('requestId')),
        };
        return context as unknown as Record<string, unknown>;
      },
    }),
  );

  if (deps.console !== false) mountConsole(app, deps.console);

  app.notFound((c) =>
    c.json({ error: 'not_found', message: `${c.req.method} ${c.req.path} does not exist` }, 404),
  );
  app.onError((error, c) => {
    logger.error({ requestId: c.get('requestId'), err: String(error) }, 'unhandled error');
    return c.json({ error: 'internal', message: 'Internal error' }, 500);
  });

  return { app, metrics, inner };
}
