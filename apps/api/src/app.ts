import { tracingActive } from '@meander/accounting';
import {
  Checkpointer,
  CheckpointSigner,
  type CredentialCipher,
  type Database,
  DatabaseUnavailableError,
  DEFAULT_SIGNING_BOUND,
  type SecretBox,
  secretBoxFromEnv,
  signingBoundOf,
  unavailableError,
  withCheckpoints,
  withCredentials,
} from '@meander/db';
import { resolveResponse } from '@trpc/server/http';
import { Hono, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { principalFromHeader } from './auth/principal.js';
import type { TokenPolicy } from './auth/tokens.js';
import { declaredBodyLimit } from './body-limit.js';
import { type ConsoleOptions, mountConsole } from './console.js';
import { type Logger, silentLogger } from './logger.js';
import { Metrics, routeOf } from './metrics.js';
import {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_WRITE_RATE_LIMIT,
  RateLimitedError,
  WriteLimiter,
  type WriteRateLimit,
} from './rate-limit.js';
import { mountRejectionsCsv } from './rejections/http.js';
import { KnownExternalRuns } from './routers/external-runs.js';
import { appRouter } from './routers/index.js';
import { traceRequests, withTraceParents } from './tracing.js';
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
  /** Webhook secret sealing (default: the development key) and `WEBHOOK_ALLOWED_HOSTS`. */
  webhooks?: { box?: SecretBox; allowedHosts?: readonly string[] };
  /** Most calls in one tRPC batch (default {@link DEFAULT_MAX_BATCH_SIZE}); larger batches get 400. */
  maxBatchSize?: number;
  /** Mutations per principal and window (default {@link DEFAULT_WRITE_RATE_LIMIT}); `false` turns it off. */
  writeRateLimit?: WriteRateLimit | false;
  /**
   * Signs each organization's chain head after every seal (`AUDIT_SIGNING_KEY`). Without one a
   * throwaway key is generated: fine for tests, useless as evidence beyond this process.
   */
  signer?: CheckpointSigner;
  /**
   * How long a sealed head may wait for its checkpoint (`AUDIT_CHECKPOINT_INTERVAL_MS`, default
   * 250 ms, at most 100 seals); 0 signs after every seal.
   */
  checkpointIntervalMs?: number;
  /**
   * Seals accounting credentials on the way into the database (`CREDENTIALS_KEY`); the only place
   * that may open them again is where an adapter is built.
   */
  credentials?: CredentialCipher;
  /** Token lifetime cap and optional iss/aud (default: 24 h cap, no iss/aud). */
  tokenPolicy?: TokenPolicy;
  /** The admin console served at `/` (the built apps/admin by default); `false` serves none. */
  console?: ConsoleOptions | false;
}

const TRPC_PREFIX = '/trpc/';

export { routeOf };

/**
 * Browser hardening for every answer, the console above all: scripts, styles and connections
 * from this origin only (the built console has no inline script or style; React sets styles
 * through the CSSOM, which CSP does not govern), never framed, no referrer leaves the console.
 */
const CONSOLE_SECURITY_HEADERS: Parameters<typeof secureHeaders>[0] = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  referrerPolicy: 'no-referrer',
  xContentTypeOptions: 'nosniff',
  xFrameOptions: 'DENY',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
};

/** The tRPC error body of a refused batch (the shape tRPC gives any whole-request error). */
function batchTooLarge(calls: number, max: number) {
  const message = `A tRPC batch may carry at most ${max} calls; this one carries ${calls}`;
  return {
    error: {
      message,
      code: -32600,
      data: {
        code: 'BAD_REQUEST',
        httpStatus: 400,
        domainCode: 'VALIDATION_FAILED',
        issues: [{ rule: 'max_batch_size', severity: 'error', path: [], message }],
      },
    },
  };
}

/** The Hono app: tRPC under /trpc, /healthz, /metrics, and the admin console at `/`. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? silentLogger;
  const metrics = new Metrics();
  const inner = innerContextOf(deps, logger, metrics);
  const app = new Hono();
  app.use('*', requestId());
  app.use('*', secureHeaders(CONSOLE_SECURITY_HEADERS));
  if (tracingActive()) app.use('*', traceRequests(routeOf));
  app.use('*', countAndLogRequests(logger, metrics));
  mountProbes(app, deps.db, metrics, inner.staleAfterSeconds);
  mountRejectionsCsv(app, inner, deps.jwtSecret);
  mountTrpc(app, deps, inner);
  if (deps.console !== false) mountConsole(app, deps.console);
  handleErrors(app, logger);
  return { app, metrics, inner };
}

/** What every procedure shares: the database (sealing credentials, signing checkpoints) and the app's settings. */
function innerContextOf(deps: AppDeps, logger: Logger, metrics: Metrics): InnerContext {
  const checkpointer = new Checkpointer(deps.db, deps.signer ?? CheckpointSigner.generate(), {
    logger,
    bound: signingBoundOf(deps.checkpointIntervalMs ?? DEFAULT_SIGNING_BOUND.intervalMs),
  });
  const sealed = deps.credentials ? withCredentials(deps.db, deps.credentials) : deps.db;
  const checkpointed = withCheckpoints(sealed, checkpointer);
  return {
    db: tracingActive() ? withTraceParents(checkpointed, logger) : checkpointed,
    checkpointer,
    credentials: deps.credentials ?? null,
    logger,
    metrics,
    now: deps.now ?? (() => new Date()),
    staleAfterSeconds: deps.staleAfterSeconds ?? 120,
    progressPollMs: deps.progressPollMs ?? 250,
    webhooks: {
      box: deps.webhooks?.box ?? secretBoxFromEnv(undefined, false),
      allowedHosts: deps.webhooks?.allowedHosts ?? [],
    },
    writeLimiter:
      deps.writeRateLimit === false
        ? null
        : new WriteLimiter(deps.writeRateLimit ?? DEFAULT_WRITE_RATE_LIMIT),
    externalRuns: new KnownExternalRuns(),
  };
}

/** Every request counted for /metrics under its bounded route label, and logged when info is on. */
function countAndLogRequests(logger: Logger, metrics: Metrics): MiddlewareHandler {
  const logRequests = logger.isLevelEnabled('info');
  return async (c, next) => {
    const started = logRequests ? performance.now() : 0;
    await next();
    const route = routeOf(c.req.path);
    metrics.countHttp(c.req.method, route, c.res.status);
    // Build the log line only when it is written (a silent or warn-level logger is the norm under load).
    if (logRequests) {
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
    }
  };
}

/** /healthz (the database answers) and /metrics (Prometheus text). */
function mountProbes(app: Hono, db: Database, metrics: Metrics, staleAfterSeconds: number): void {
  app.get('/healthz', async (c) => {
    try {
      await db.ping();
      return c.json({ ok: true, database: db.dialect });
    } catch {
      return c.json({ ok: false, database: db.dialect, error: 'database unreachable' }, 503);
    }
  });
  app.get('/metrics', async (c) =>
    c.text(await metrics.render(db, staleAfterSeconds), 200, { 'content-type': metrics.contentType }),
  );
}

/** The tRPC error body of an oversized request (the shape tRPC gives any whole-request error). */
const BODY_TOO_LARGE = {
  error: {
    message: 'Request body too large',
    code: -32600,
    data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413, domainCode: 'VALIDATION_FAILED', issues: [] },
  },
};

/** 429s carry Retry-After: the longest wait any refused call of the request was given. */
function responseMeta({ errors }: { errors: { cause?: unknown }[] }) {
  let retryAfter = 0;
  for (const e of errors)
    if (e.cause instanceof RateLimitedError) retryAfter = Math.max(retryAfter, e.cause.retryAfterSeconds);
  return retryAfter > 0 ? { headers: new Headers({ 'retry-after': String(retryAfter) }) } : {};
}

/** tRPC under /trpc: the body and batch limits first, then the router with a per-request context. */
function mountTrpc(app: Hono, deps: AppDeps, inner: InnerContext): void {
  const maxBatchSize = deps.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  app.use(
    '/trpc/*',
    declaredBodyLimit({
      maxSize: deps.maxBodyBytes ?? 1024 * 1024,
      onError: (c) => c.json(BODY_TOO_LARGE, 413),
    }),
  );
  app.use('/trpc/*', async (c, next) => {
    // Refuse an oversized batch before anything else runs (auth, parsing, any procedure).
    if (c.req.query('batch') === '1') {
      const calls = c.req.path.slice('/trpc/'.length).split(/,|%2C/i).length;
      if (calls > maxBatchSize) return c.json(batchTooLarge(calls, maxBatchSize), 400);
    }
    await next();
  });
  // tRPC's resolveResponse straight from Hono, without the fetch adapter in between (its URL
  // re-parse, its request Proxy and a context spread per call): the path is Hono's, the body is
  // read from the request Hono already holds (bodyLimit swaps in a limited one when it must).
  app.all('/trpc/*', async (c) => {
    const req = c.req.raw;
    return resolveResponse({
      router: appRouter,
      req,
      path: c.req.path.slice(TRPC_PREFIX.length),
      error: null,
      maxBatchSize,
      responseMeta,
      createContext: async (): Promise<Context> => {
        const auth = await principalFromHeader(
          req.headers.get('authorization'),
          deps.jwtSecret,
          deps.tokenPolicy,
        );
        return {
          ...inner,
          principal: 'principal' in auth ? auth.principal : null,
          authFailure: 'failure' in auth ? auth.failure : null,
          requestId: c.get('requestId'),
        };
      },
    });
  });
}

/** 404 for unknown routes; the one place a route's unreachable database becomes 503. */
function handleErrors(app: Hono, logger: Logger): void {
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `${c.req.method} ${c.req.path} does not exist` }, 404),
  );
  // tRPC maps its own in the error formatter, with the same code: not the caller's fault, nothing
  // written, retry.
  app.onError((error, c) => {
    const unavailable = error instanceof DatabaseUnavailableError ? error : unavailableError(error);
    if (unavailable) {
      logger.warn({ requestId: c.get('requestId'), err: String(error) }, 'database unavailable');
      c.header('retry-after', '5');
      return c.json({ error: unavailable.code, message: unavailable.message }, 503);
    }
    logger.error({ requestId: c.get('requestId'), err: String(error) }, 'unhandled error');
    return c.json({ error: 'internal', message: 'Internal error' }, 500);
  });
}
