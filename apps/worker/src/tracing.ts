import { contextOfTraceParent, inSpan, tracingActive } from '@meander/accounting';
import { type Database, takeTraceParent } from '@meander/db';
import type { SyncLog } from '@meander/domain';

/**
 * Run a sync in a span of the trace of the request that recorded it (its stored traceparent; a
 * trace of its own without one), so each ledger request the sync sends is a child of it. Not
 * traced: `run` runs as is, without a read of the database.
 */
export async function traceSync<T extends { status: string }>(
  db: Pick<Database, 'raw'>,
  sync: SyncLog,
  run: () => Promise<T>,
): Promise<T> {
  if (!tracingActive()) return run();
  // A trace lost is never worth failing the sync over.
  const traceparent = await takeTraceParent(db, sync.id).catch(() => null);
  const attributes = {
    'meander.sync_log.id': sync.id,
    'meander.sync.type': sync.syncType,
    'meander.accounting_system': sync.accountingSystem,
  };
  return inSpan('sync.run', { attributes, parent: contextOfTraceParent(traceparent) }, async (span) => {
    const outcome = await run();
    span.setAttribute('meander.sync.status', outcome.status);
    return outcome;
  });
}
