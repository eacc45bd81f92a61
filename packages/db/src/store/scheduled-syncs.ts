import { randomUUID } from 'node:crypto';
import {
  ACTIVE_STATUSES,
  type AccountingSystem,
  canonicalUuid,
  createSyncLogCommandSchema,
  type IsoDateTime,
  parseCommand,
  type SyncLog,
} from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { all, type Program } from './driver.js';
import { selectionWindow } from './expense-record-row.js';
import type { Dialect } from './port.js';
import { rowOf } from './rows.js';
import { tablesOf } from './schema-rows.js';
import { EXPORTABLE } from './sql-expense-record-store.js';
import { compileAll, p } from './statement.js';
import { syncLogFromRow, syncLogRow } from './sync-log-row.js';

/** One organization's scheduled sync, as the dispatcher decided it from its schedule. */
export interface ScheduledSyncInput {
  organizationId: string;
  accountingSystem: AccountingSystem;
  periodStart: IsoDateTime;
  periodEnd: IsoDateTime;
  /** The schedule slot's key (`schedule:<slot>`): at most one sync per slot, ever. */
  idempotencyKey: string;
}

/** The most entries one call takes: one statement's JSON parameter stays well under a megabyte. */
export const SCHEDULED_BATCH_MAX = 1_000;

const ACTIVE = sql.raw(ACTIVE_STATUSES.map((s) => `'${s}'`).join(', '));

/**
 * The batch as a table, from one JSON text parameter: the only SQL that differs by dialect (SQLite
 * binds no arrays and has `json_each`; PostgreSQL has `json_to_recordset`). One parameter whatever
 * the batch's size keeps the statement's text fixed, so it is prepared once.
 */
function batchSource(dialect: Dialect): SQL {
  if (dialect === 'postgres') {
    return sql`SELECT * FROM json_to_recordset(${p('batch')}::text::json) AS x(id uuid, organization_id uuid,
      accounting_system text, period_start timestamptz, period_end timestamptz, booking_from text,
      booking_to text, idempotency_key text)`;
  }
  const field = (name: string) => sql.raw(`json_extract(value, '$.${name}') AS ${name}`);
  return sql`SELECT ${sql.join(
    [
      'id',
      'organization_id',
      'accounting_system',
      'period_start',
      'period_end',
      'booking_from',
      'booking_to',
      'idempotency_key',
    ].map(field),
    sql`, `,
  )} FROM json_each(${p('batch')})`;
}

/**
 * The two statements of a batch: the organizations' time zones (the booking window of a period is
 * the organization's local dates), then one INSERT … SELECT that creates every sync the rules allow
 * and skips the rest — the slot's sync exists already, the organization has an active sync or a
 * success covering the period, or its accounting module is not enabled for that system. ON
 * CONFLICT DO NOTHING settles what the NOT EXISTS cannot see (another node's batch in flight, on
 * the idempotency or the one-active index); rows go in organization order, so two nodes' batches
 * wait on each other in one order and never deadlock.
 */
function scheduledSyncStatements(dialect: Dialect) {
  const {
    accountingSyncLogs: l,
    organizations: o,
    moduleConfigurations: m,
    expenseRecords: r,
  } = tablesOf(dialect);
  const configuredSystem =
    dialect === 'postgres'
      ? sql`${m.config}->>'accountingSystem'`
      : sql`json_extract(${m.config}, '$.accountingSystem')`;
  const source = batchSource(dialect);
  // PostgreSQL types a parameter from its context, and an INSERT … SELECT's list gives none.
  const now = dialect === 'postgres' ? sql`${p('now')}::timestamptz` : sql`${p('now')}`;
  return {
    timeZones: sql`SELECT ${o.id} AS id, ${o.timeZone} AS time_zone FROM ${o}
      WHERE ${o.id} IN (SELECT organization_id FROM (${source}) b)`,
    createMany: sql`WITH b AS (${source})
      INSERT INTO ${l} (id, organization_id, accounting_system, sync_type, status,
        period_start, period_end, records_total, records_synced, records_failed, started_at, created_at,
        idempotency_key, runner)
      SELECT b.id, b.organization_id, b.accounting_system, 'scheduled', 'pending',
        b.period_start, b.period_end,
        (SELECT COUNT(*) FROM ${r} WHERE ${r.organizationId} = b.organization_id
          AND ${EXPORTABLE(r)} AND ${r.bookingDate} >= b.booking_from
          AND ${r.bookingDate} <= b.booking_to),
        0, 0, ${now}, ${now}, b.idempotency_key, 'worker'
      FROM b
      WHERE EXISTS (SELECT 1 FROM ${m} WHERE ${m.organizationId} = b.organization_id
          AND ${m.module} = 'admin-accounting' AND ${m.enabled} AND ${configuredSystem} = b.accounting_system)
        AND NOT EXISTS (SELECT 1 FROM ${l} WHERE ${l.organizationId} = b.organization_id
          AND ${l.idempotencyKey} = b.idempotency_key)
        AND NOT EXISTS (SELECT 1 FROM ${l} WHERE ${l.organizationId} = b.organization_id
          AND ${l.status} IN (${ACTIVE}))
        AND NOT EXISTS (SELECT 1 FROM ${l} WHERE ${l.organizationId} = b.organization_id
          AND ${l.periodStart} <= b.period_start AND ${l.periodEnd} >= b.period_end AND ${l.status} = 'success')
      ORDER BY b.organization_id
      ON CONFLICT DO NOTHING
      RETURNING *`,
  } satisfies Record<string, SQL>;
}

/** The scheduled-batch statements compiled for one dialect. */
export function compileScheduledSyncStatements(dialect: Dialect) {
  return compileAll(dialect, scheduledSyncStatements(dialect));
}

type Statements = ReturnType<typeof compileScheduledSyncStatements>;

/**
 * Validate every entry as a create command would (bad input → VALIDATION_FAILED naming the field,
 * before anything is written); one entry per organization.
 */
export function parseScheduledBatch(entries: readonly ScheduledSyncInput[]): ScheduledSyncInput[] {
  if (entries.length > SCHEDULED_BATCH_MAX) {
    throw new RangeError(
      `createScheduled takes at most ${SCHEDULED_BATCH_MAX} entries, got ${entries.length}`,
    );
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    const command = parseCommand(createSyncLogCommandSchema, {
      ...entry,
      syncType: 'scheduled',
      triggeredBy: null,
      recordsTotal: 0,
    });
    const organizationId = canonicalUuid(command.organizationId);
    if (seen.has(organizationId)) {
      // One sync per organization per batch: a second entry could only be refused by the one-active rule.
      throw new RangeError(`createScheduled got organization ${organizationId} twice in one batch`);
    }
    seen.add(organizationId);
    return {
      organizationId,
      accountingSystem: command.accountingSystem,
      periodStart: command.periodStart,
      periodEnd: command.periodEnd,
      idempotencyKey: entry.idempotencyKey,
    };
  });
}

const timeZoneRow = rowOf<{ id: string; time_zone: string | null }>('time zone', {
  id: 'text',
  time_zone: 'text?',
});

/** The batch's program: two statements whatever its size (run it as one transaction). */
export function* createScheduledProgram(
  q: Statements,
  entries: readonly ScheduledSyncInput[],
  now: IsoDateTime,
): Program<SyncLog[]> {
  if (entries.length === 0) return [];
  const ids = JSON.stringify(entries.map((e) => ({ organization_id: e.organizationId })));
  const zones = yield* all(q.timeZones, { batch: ids }, timeZoneRow);
  const zoneOf = new Map(zones.map((z) => [canonicalUuid(String(z.id)), z.time_zone ?? 'UTC']));
  const batch = entries.map((e) => {
    const window = selectionWindow(e, zoneOf.get(e.organizationId) ?? 'UTC');
    return {
      id: randomUUID(),
      organization_id: e.organizationId,
      accounting_system: e.accountingSystem,
      period_start: e.periodStart,
      period_end: e.periodEnd,
      booking_from: window.from,
      booking_to: window.to,
      idempotency_key: e.idempotencyKey,
    };
  });
  const rows = yield* all(q.createMany, { batch: JSON.stringify(batch), now }, syncLogRow);
  return rows.map(syncLogFromRow);
}
