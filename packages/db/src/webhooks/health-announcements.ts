import { randomUUID } from 'node:crypto';
import { type AccountingSystem, type HealthState, TERMINAL_STATUSES } from '@meander/domain';
import { type SQL, sql } from 'drizzle-orm';
import { all, type Driver, one, type Program, write } from '../store/driver.js';
import { driverFor } from '../store/driver-for.js';
import { oncePer } from '../store/once-per.js';
import type { Database, Dialect } from '../store/port.js';
import { countRow, rowOf } from '../store/rows.js';
import { type SchemaTables, tablesOf } from '../store/schema-rows.js';
import { compile, compileAll, p } from '../store/statement.js';
import { toIso } from '../store/sync-log-row.js';
import type { HealthChangedData, WebhookPayload } from './payloads.js';
import { insertOutboxEvent, type OutboxEventType, WEBHOOK_EVENTS } from './store.js';

/** What an announcement decision needs; `payload` is built only when the state did change. */
export interface HealthAnnouncementInput {
  organizationId: string;
  accountingSystem: AccountingSystem;
  /** The state just computed. */
  state: HealthState;
  /** The previous state when nothing was announced yet for this organization and system. */
  baseline: HealthState;
  /** The writer's clock: the event's `created_at` (kept after the previous announcement's). */
  now: string;
  /**
   * The scan's guard: announce only while no sync event of the organization waits in the outbox
   * (its own relay pass decides, with the sync's id) and the organization's count of finished
   * syncs is still this one (a sync that ended after the health was computed makes it stale).
   */
  unlessSyncsChangedFrom?: number;
  payload: (previousState: HealthState) => WebhookPayload<HealthChangedData>;
}

const HEALTH_CHANGED = 'integration.health_changed' satisfies OutboxEventType;
const literals = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));
const SYNC_EVENTS = literals(WEBHOOK_EVENTS.filter((event) => event.startsWith('sync.')));

/**
 * What differs per dialect: reading a field of a JSON column, asking whether a JSON array holds
 * the event, and the lock that makes a decision and its enqueue one step. PostgreSQL runs deciders
 * concurrently and there is no row to lock before the first announcement exists, so they queue on
 * an advisory transaction lock per organization and system; on SQLite the driver's BEGIN IMMEDIATE
 * already holds the single write lock before the first read.
 */
const PER_DIALECT = {
  sqlite: {
    dataField: (column: SQL, field: string) => sql`json_extract(${column}, ${sql.raw(`'$.data.${field}'`)})`,
    holdsHealthChanged: (events: SQL) =>
      sql`EXISTS (SELECT 1 FROM json_each(${events}) WHERE value = ${sql.raw(`'${HEALTH_CHANGED}'`)})`,
    announceLock: null,
  },
  postgres: {
    dataField: (column: SQL, field: string) => sql`${column}->'data'->>${sql.raw(`'${field}'`)}`,
    holdsHealthChanged: (events: SQL) => sql`${events} @> ${sql.raw(`'["${HEALTH_CHANGED}"]'`)}::jsonb`,
    announceLock: sql`SELECT pg_advisory_xact_lock(hashtext(${p('lockKey')}))`,
  },
} satisfies Record<
  Dialect,
  {
    dataField: (column: SQL, field: string) => SQL;
    holdsHealthChanged: (events: SQL) => SQL;
    announceLock: SQL | null;
  }
>;

/** The announcements' statements, written once over the dialect's tables (compiled once per handle). */
function healthStatements(dialect: Dialect, t: SchemaTables) {
  const { webhookEndpoints: e, webhookOutbox: o, accountingSyncLogs: l } = t;
  const { dataField, holdsHealthChanged } = PER_DIALECT[dialect];
  const payload = sql`${o.payload}`;
  return {
    subscribedOrganizations: sql`SELECT DISTINCT ${e.organizationId} AS id FROM ${e}
      WHERE ${holdsHealthChanged(sql`${e.events}`)} ORDER BY 1`,
    finishedSyncs: sql`SELECT count(*) AS n FROM ${l}
      WHERE ${l.organizationId} = ${p('organizationId')} AND ${l.status} IN (${literals(TERMINAL_STATUSES)})`,
    // A sync event still waiting to be fanned out: its own relay pass decides, with the sync's id.
    waitingSyncEvent: sql`SELECT 1 AS waiting FROM ${o} WHERE ${o.fannedOutAt} IS NULL
      AND ${o.organizationId} = ${p('organizationId')} AND ${o.eventType} IN (${SYNC_EVENTS}) LIMIT 1`,
    lastAnnouncement: sql`SELECT ${dataField(payload, 'state')} AS state, ${o.createdAt} AS created_at FROM ${o}
      WHERE ${o.organizationId} = ${p('organizationId')} AND ${o.eventType} = ${sql.raw(`'${HEALTH_CHANGED}'`)}
        AND ${dataField(payload, 'accountingSystem')} = ${p('accountingSystem')}
      ORDER BY ${o.createdAt} DESC, ${o.id} DESC LIMIT 1`,
    insertAnnouncement: insertOutboxEvent(o),
  } satisfies Record<string, SQL>;
}

/** The announcements' statements compiled for one dialect, with the lock only PostgreSQL needs. */
export function compileHealthStatements(dialect: Dialect) {
  const lock = PER_DIALECT[dialect].announceLock;
  return {
    ...compileAll(dialect, healthStatements(dialect, tablesOf(dialect))),
    announceLock: lock ? compile(dialect, lock) : null,
  };
}

interface LastAnnouncement {
  state: HealthState;
  createdAt: string;
}

/**
 * The record of which health state was last announced per organization and system is the outbox
 * itself: the latest `integration.health_changed` event. Deciding and enqueueing are one
 * transaction of the driver under one lock per organization and system (see PER_DIALECT), so two
 * workers, or a sync's relay pass and the periodic scan, never announce the same transition twice.
 * Survives restarts because nothing lives in memory.
 */
export class HealthAnnouncements {
  private readonly driver: Driver;
  private readonly q: ReturnType<typeof compileHealthStatements>;

  constructor(db: Pick<Database, 'raw'>) {
    this.driver = driverFor(db.raw);
    this.q = compileHealthStatements(this.driver.dialect);
  }

  /** Organizations with at least one endpoint subscribed to `integration.health_changed`. */
  async subscribedOrganizations(): Promise<string[]> {
    const rows = await this.driver.run(all(this.q.subscribedOrganizations, {}, idRow));
    return rows.map((r) => String(r.id));
  }

  /** How many syncs of the organization have ended (the scan's staleness check). */
  async finishedSyncCount(organizationId: string): Promise<number> {
    return this.driver.run(finishedSyncs(this.q, organizationId));
  }

  /** The state last announced for this organization and system, if any. */
  async lastAnnounced(organizationId: string, system: AccountingSystem): Promise<HealthState | null> {
    return (await this.driver.run(lastAnnouncement(this.q, organizationId, system)))?.state ?? null;
  }

  /**
   * Enqueue `integration.health_changed` when `state` differs from the state last announced (or
   * the baseline). Returns the payload enqueued, or null when there was nothing new to tell.
   */
  async announceIfChanged(input: HealthAnnouncementInput): Promise<WebhookPayload<HealthChangedData> | null> {
    const q = this.q;
    return this.driver.transaction(function* (): Program<WebhookPayload<HealthChangedData> | null> {
      if (q.announceLock) {
        // Its rows are not needed: taking the lock is the point.
        yield* all(q.announceLock, {
          lockKey: `meander:health:${input.organizationId}:${input.accountingSystem}`,
        });
      }
      if (input.unlessSyncsChangedFrom !== undefined) {
        const waiting = yield* all(q.waitingSyncEvent, { organizationId: input.organizationId });
        const finished = yield* finishedSyncs(q, input.organizationId);
        if (waiting.length > 0 || finished !== input.unlessSyncsChangedFrom) return null;
      }
      const event = eventFor(input, yield* lastAnnouncement(q, input.organizationId, input.accountingSystem));
      if (!event) return null;
      yield* write(q.insertAnnouncement, {
        id: randomUUID(),
        organizationId: input.organizationId,
        eventType: HEALTH_CHANGED,
        syncLogId: event.payload.data.syncLogId,
        endpointId: null,
        // The object itself: jsonb on PostgreSQL, JSON text on SQLite (see the drivers).
        payload: event.payload,
        createdAt: event.createdAt,
      });
      return event.payload;
    });
  }
}

type HealthStatements = ReturnType<typeof compileHealthStatements>;

const idRow = rowOf<{ id: string }>('subscribed organization', { id: 'text' });
const lastRow = rowOf<{ state: string; created_at: string | Date }>('last announcement', {
  state: 'text',
  created_at: 'time',
});

/** How many syncs of the organization have ended. */
function* finishedSyncs(q: HealthStatements, organizationId: string): Program<number> {
  // count(*) is a bigint on PostgreSQL, which the driver reads as text.
  const row = yield* one(q.finishedSyncs, { organizationId }, countRow);
  return Number(row?.n ?? 0);
}

/** The state last announced for the organization and system, and when. */
function* lastAnnouncement(
  q: HealthStatements,
  organizationId: string,
  accountingSystem: AccountingSystem,
): Program<LastAnnouncement | null> {
  const row = yield* one(q.lastAnnouncement, { organizationId, accountingSystem }, lastRow);
  return row ? { state: row.state as HealthState, createdAt: toIso(row.created_at) } : null;
}

/** The event to write, or null when the state is the one last announced. */
function eventFor(
  input: HealthAnnouncementInput,
  last: LastAnnouncement | null,
): { payload: WebhookPayload<HealthChangedData>; createdAt: string } | null {
  const previous = last?.state ?? input.baseline;
  if (previous === input.state) return null;
  // "Latest" is read by created_at: keep it strictly after the previous one even when clocks differ.
  const after = last ? Date.parse(last.createdAt) + 1 : Number.NEGATIVE_INFINITY;
  const createdAt = new Date(Math.max(Date.parse(input.now), after)).toISOString();
  return { payload: input.payload(previous), createdAt };
}

/** The health announcements of an open database (one per handle). */
export const healthAnnouncementsFor: (db: Database) => HealthAnnouncements = oncePer(
  (db) => new HealthAnnouncements(db),
);
