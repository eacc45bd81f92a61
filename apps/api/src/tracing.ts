import { activeTraceParent, contextOfTraceParent, inSpan } from '@meander/accounting';
import { type Database, recordTraceParent, type SyncLogStore, withStoreOverrides } from '@meander/db';
import type { SyncLog } from '@meander/domain';
import { SpanKind } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from './logger.js';

/**
 * A server span around each request, continuing the caller's trace when it sent a W3C
 * `traceparent`. Named by the bounded route label, never the raw path.
 */
export function traceRequests(routeOf: (path: string) => string): MiddlewareHandler {
  return async (c, next) => {
    const route = routeOf(c.req.path);
    const attributes = { 'http.request.method': c.req.method, 'http.route': route };
    await inSpan(
      `${c.req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes,
        parent: contextOfTraceParent(c.req.header('traceparent') ?? null),
      },
      async (span) => {
        await next();
        span.setAttribute('http.response.status_code', c.res.status);
      },
    );
  };
}

/**
 * The database, with every pending sync it records remembering the active trace (migration 0015):
 * the worker's sync span and its ledger requests then join the API request's trace. Only used
 * while tracing is on, so an untraced API has no extra layer.
 */
export function withTraceParents<D extends Database>(db: D, logger: Logger): D {
  const remember = async (log: SyncLog) => {
    const traceparent = activeTraceParent();
    if (!traceparent || log.status !== 'pending') return;
    // A trace is never worth failing the request over: the sync simply starts a trace of its own.
    await recordTraceParent(db, log.id, traceparent).catch((error: unknown) =>
      logger.warn({ syncLogId: log.id, err: String(error) }, 'could not record the trace of a sync'),
    );
  };
  return withStoreOverrides(db, 'syncLogs', (store) => ({
    async create(...args: Parameters<SyncLogStore['create']>) {
      const created = await store.create(...args);
      // An external runner's sync is never claimed by the worker: no trace to hand on.
      if (args[1]?.runner !== 'external') await remember(created.syncLog);
      return created;
    },
    async createReversal(...args: Parameters<SyncLogStore['createReversal']>) {
      const reversal = await store.createReversal(...args);
      await remember(reversal);
      return reversal;
    },
  }));
}
