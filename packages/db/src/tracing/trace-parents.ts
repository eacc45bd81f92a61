import { sql } from 'drizzle-orm';
import { all, write } from '../store/driver.js';
import { driverFor } from '../store/driver-for.js';
import type { Database, Dialect } from '../store/port.js';
import { rowOf } from '../store/rows.js';
import { compile, p, type Statement } from '../store/statement.js';

/** The shape of a W3C traceparent (version 00): anything else is never stored. */
const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function statements(dialect: Dialect): { record: Statement; take: Statement } {
  return {
    record: compile(
      dialect,
      sql`INSERT INTO sync_trace_parents (sync_log_id, traceparent) VALUES (${p('id')}, ${p('traceparent')}) ON CONFLICT (sync_log_id) DO NOTHING`,
    ),
    take: compile(
      dialect,
      sql`DELETE FROM sync_trace_parents WHERE sync_log_id = ${p('id')} RETURNING traceparent`,
    ),
  };
}

const STATEMENTS = { sqlite: statements('sqlite'), postgres: statements('postgres') } satisfies Record<
  Dialect,
  { record: Statement; take: Statement }
>;

/**
 * Remember the trace a pending sync was recorded in (migration 0015), so the worker that runs it
 * continues that trace. Called only while tracing is on.
 */
export async function recordTraceParent(
  db: Pick<Database, 'raw'>,
  syncLogId: string,
  traceparent: string,
): Promise<void> {
  if (!TRACEPARENT.test(traceparent)) return;
  const driver = driverFor(db.raw);
  await driver.run(write(STATEMENTS[driver.dialect].record, { id: syncLogId, traceparent }));
}

const traceParentRow = rowOf<{ traceparent: string }>('trace parent', { traceparent: 'text' });

/**
 * The trace a sync was recorded in, taken once: a second attempt after a crash starts a trace of
 * its own rather than growing one whose request ended long ago.
 */
export async function takeTraceParent(db: Pick<Database, 'raw'>, syncLogId: string): Promise<string | null> {
  const driver = driverFor(db.raw);
  const rows = await driver.run(all(STATEMENTS[driver.dialect].take, { id: syncLogId }, traceParentRow));
  return rows[0]?.traceparent ?? null;
}
