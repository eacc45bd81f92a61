import { randomUUID } from 'node:crypto';
import type { AccountingSystem, HealthState } from '@meander/domain';
import type { Database } from '../store/port.js';
import { toIso } from '../store/sync-log-row.js';
import type { HealthChangedData, WebhookPayload } from './payloads.js';

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

interface LastAnnouncement {
  state: HealthState;
  createdAt: string;
}

/** The organization's finished syncs (`?` is its id). */
const FINISHED_SYNCS = `SELECT count(*) AS n FROM accounting_sync_logs WHERE organization_id = ? AND status IN ('success', 'partial', 'failed')`;
/** A sync event of the organization still waiting to be fanned out (`?` is its id). */
const WAITING_SYNC_EVENT = `SELECT 1 FROM webhook_outbox WHERE fanned_out_at IS NULL AND organization_id = ?
  AND event_type IN ('sync.succeeded', 'sync.partial', 'sync.failed') LIMIT 1`;
const pg = (sql: string) => sql.replace('?', '$1');

/**
 * The record of which health state was last announced per organization and system is the outbox
 * itself: the latest `integration.health_changed` event. Deciding and enqueueing happen under one
 * lock per organization and system (a PostgreSQL advisory transaction lock; SQLite's write lock
 * taken at BEGIN IMMEDIATE), so two workers, or a sync's relay pass and the periodic scan, never
 * announce the same transition twice. Survives restarts because nothing lives in memory.
 */
export class HealthAnnouncements {
  constructor(private readonly db: Database) {}

  /** Organizations with at least one endpoint subscribed to `integration.health_changed`. */
  async subscribedOrganizations(): Promise<string[]> {
    const raw = this.db.raw;
    if (raw.dialect === 'sqlite') {
      const rows = raw.connection
        .prepare(
          `SELECT DISTINCT e.organization_id AS id FROM webhook_endpoints e, json_each(e.events) j
           WHERE j.value = 'integration.health_changed' ORDER BY 1`,
        )
        .all() as { id: string }[];
      return rows.map((r) => r.id);
    }
    const rows = await raw.sql<{ id: string }[]>`
      SELECT DISTINCT organization_id AS id FROM webhook_endpoints
      WHERE events @> '["integration.health_changed"]'::jsonb ORDER BY 1`;
    return rows.map((r) => String(r.id));
  }

  /** How many syncs of the organization have ended (the scan's staleness check). */
  async finishedSyncCount(organizationId: string): Promise<number> {
    const raw = this.db.raw;
    if (raw.dialect === 'sqlite') {
      return Number((raw.connection.prepare(FINISHED_SYNCS).get(organizationId) as { n: number }).n);
    }
    const [row] = await raw.sql.unsafe(pg(FINISHED_SYNCS), [organizationId]);
    return Number(row?.n ?? 0);
  }

  /** The state last announced for this organization and system, if any. */
  async lastAnnounced(organizationId: string, system: AccountingSystem): Promise<HealthState | null> {
    const raw = this.db.raw;
    if (raw.dialect === 'sqlite') return lastSqlite(raw.connection, organizationId, system)?.state ?? null;
    return (await lastPg(raw.sql, organizationId, system))?.state ?? null;
  }

  /**
   * Enqueue `integration.health_changed` when `state` differs from the state last announced (or
   * the baseline). Returns the payload enqueued, or null when there was nothing new to tell.
   */
  async announceIfChanged(input: HealthAnnouncementInput): Promise<WebhookPayload<HealthChangedData> | null> {
    const raw = this.db.raw;
    if (raw.dialect === 'sqlite') {
      const c = raw.connection;
      const decide = c.transaction(() => {
        if (input.unlessSyncsChangedFrom !== undefined) {
          const waiting = c.prepare(WAITING_SYNC_EVENT).get(input.organizationId);
          const count = c.prepare(FINISHED_SYNCS).get(input.organizationId) as { n: number };
          if (waiting || Number(count.n) !== input.unlessSyncsChangedFrom) return null;
        }
        const last = lastSqlite(c, input.organizationId, input.accountingSystem);
        const event = eventFor(input, last);
        if (!event) return null;
        c.prepare(
          `INSERT INTO webhook_outbox (id, organization_id, event_type, sync_log_id, endpoint_id, payload, created_at)
           VALUES (?, ?, 'integration.health_changed', ?, NULL, ?, ?)`,
        ).run(
          randomUUID(),
          input.organizationId,
          event.payload.data.syncLogId,
          JSON.stringify(event.payload),
          event.createdAt,
        );
        return event.payload;
      });
      // IMMEDIATE takes the write lock before reading, so another process cannot decide in between.
      return decide.immediate();
    }
    return raw.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${`meander:health:${input.organizationId}:${input.accountingSystem}`}))`;
      if (input.unlessSyncsChangedFrom !== undefined) {
        const [waiting] = await tx.unsafe(pg(WAITING_SYNC_EVENT), [input.organizationId]);
        const [count] = await tx.unsafe(pg(FINISHED_SYNCS), [input.organizationId]);
        if (waiting || Number(count?.n ?? 0) !== input.unlessSyncsChangedFrom) return null;
      }
      const last = await lastPg(tx, input.organizationId, input.accountingSystem);
      const event = eventFor(input, last);
      if (!event) return null;
      await tx`
        INSERT INTO webhook_outbox (id, organization_id, event_type, sync_log_id, endpoint_id, payload, created_at)
        VALUES (${randomUUID()}, ${input.organizationId}, 'integration.health_changed',
          ${event.payload.data.syncLogId}, NULL, (${JSON.stringify(event.payload)}::text)::jsonb, ${event.createdAt})`;
      return event.payload;
    });
  }
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

function lastSqlite(
  c: Extract<Database['raw'], { dialect: 'sqlite' }>['connection'],
  organizationId: string,
  system: AccountingSystem,
): LastAnnouncement | null {
  const row = c
    .prepare(
      `SELECT json_extract(payload, '$.data.state') AS state, created_at FROM webhook_outbox
       WHERE organization_id = ? AND event_type = 'integration.health_changed'
         AND json_extract(payload, '$.data.accountingSystem') = ?
       ORDER BY created_at DESC, id DESC LIMIT 1`,
    )
    .get(organizationId, system) as { state: string; created_at: string } | undefined;
  return row ? { state: row.state as HealthState, createdAt: toIso(row.created_at) } : null;
}

type PgSql = Extract<Database['raw'], { dialect: 'postgres' }>['sql'];

async function lastPg(
  sql: Pick<PgSql, 'unsafe'>,
  organizationId: string,
  system: AccountingSystem,
): Promise<LastAnnouncement | null> {
  const [row] = await sql.unsafe(
    `SELECT payload->'data'->>'state' AS state, created_at FROM webhook_outbox
     WHERE organization_id = $1 AND event_type = 'integration.health_changed'
       AND payload->'data'->>'accountingSystem' = $2
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [organizationId, system],
  );
  return row ? { state: row.state as HealthState, createdAt: toIso(row.created_at as string | Date) } : null;
}

const announcements = new WeakMap<Database, HealthAnnouncements>();
/** The health announcements of an open database (one per handle). */
export function healthAnnouncementsFor(db: Database): HealthAnnouncements {
  let found = announcements.get(db);
  if (!found) {
    found = new HealthAnnouncements(db);
    announcements.set(db, found);
  }
  return found;
}
