import { Readable } from 'node:stream';
import { isDomainError } from '@meander/domain';
import type { Hono } from 'hono';
import { principalFromHeader } from '../auth/principal.js';
import { visibleSyncLog } from '../routers/tenancy.js';
import type { InnerContext } from '../trpc/context.js';
import { requireAllowed } from '../trpc/init.js';
import { rejectionsCsv } from './csv.js';
import { rejectedItems } from './rows.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `GET /sync-logs/:id/rejections.csv` — the rejected records as CSV, streamed. Same bearer token
 * and the same visibility as `rejections.list` (another organization's sync is 404).
 */
export function mountRejectionsCsv(app: Hono, inner: InnerContext, jwtSecret: string): void {
  app.get('/sync-logs/:id/rejections.csv', async (c) => {
    const auth = await principalFromHeader(c.req.header('authorization'), jwtSecret);
    if (!('principal' in auth))
      return c.json({ error: 'unauthenticated', message: 'A valid bearer token is required' }, 401);
    const id = c.req.param('id');
    if (!UUID.test(id)) return c.json({ error: 'not_found', message: `Sync log ${id} does not exist` }, 404);
    try {
      requireAllowed(auth.principal, 'syncLog.read');
      const log = await visibleSyncLog(inner, auth.principal, id);
      // The first page is read before the headers go out, so an unreachable database is a 503
      // (app.onError) rather than a 200 that breaks off.
      const rows = await primed(rejectedItems(inner.db, log));
      const body = Readable.toWeb(rejectionsCsv(rows)) as ReadableStream;
      return new Response(body, {
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="rejections-${log.id}.csv"`,
          'cache-control': 'no-store',
        },
      });
    } catch (error) {
      if (isDomainError(error)) {
        const status = error.code === 'FORBIDDEN' ? 403 : 404;
        return c.json({ error: error.code, message: error.message }, status);
      }
      throw error;
    }
  });
}

/** Pull the first item now (its errors throw here), then hand out the whole sequence. */
async function primed<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = items[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}
