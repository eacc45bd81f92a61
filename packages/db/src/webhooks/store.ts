import { randomUUID } from 'node:crypto';
import type { Database, RawConnection } from '../store/port.js';
import { toIso, toIsoOrNull } from '../store/sync-log-row.js';

/** Events an endpoint can subscribe to (the contract's names). */
export const WEBHOOK_EVENTS = [
  'sync.succeeded',
  'sync.partial',
  'sync.failed',
  'integration.health_changed',
] as const;
/** An event an endpoint can subscribe to. */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Every event type the outbox carries: the subscribable ones and the test event. */
export type OutboxEventType = WebhookEvent | 'webhook.test';

/** A receiver registered by an organization (its secret stays sealed in the table). */
export interface WebhookEndpoint {
  id: string;
  organizationId: string;
  url: string;
  events: WebhookEvent[];
  createdBy: string | null;
  createdAt: string;
}

/** An event waiting to be turned into deliveries. */
export interface OutboxEvent {
  id: string;
  organizationId: string;
  eventType: OutboxEventType;
  syncLogId: string | null;
  endpointId: string | null;
  payload: unknown;
  createdAt: string;
}

/** One event for one endpoint: its `id` is the `webhook-id` every attempt repeats. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  organizationId: string;
  eventType: OutboxEventType;
  payload: unknown;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  completedAt: string | null;
}

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  nextRetryAt: string | null;
}

type Row = Record<string, unknown>;
type Statement = [sql: string, params: unknown[]];

/**
 * The one place the two dialects differ for these tables: placeholders (`?` vs `$n`), JSON
 * parameters (`?json` → `($n::text)::jsonb`: the JSON text is sent as text and parsed by the server,
 * so it lands as an object — a bare `$n::jsonb` makes the driver encode the string a second time), and how a group of writes becomes one transaction
 * (better-sqlite3's synchronous transaction vs `sql.begin`).
 */
class Executor {
  constructor(private readonly raw: RawConnection) {}

  private text(sql: string): string {
    if (this.raw.dialect === 'sqlite') return sql.replaceAll('?json', '?');
    let n = 0;
    return sql.replace(/\?(json)?/g, (_m, json: string | undefined) =>
      json ? `($${++n}::text)::jsonb` : `$${++n}`,
    );
  }

  async all(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.raw.dialect === 'sqlite')
      return this.raw.connection.prepare(this.text(sql)).all(...params) as Row[];
    return (await this.raw.sql.unsafe(this.text(sql), params as never[])) as unknown as Row[];
  }

  /** Run the statements in one transaction. */
  async batch(statements: Statement[]): Promise<void> {
    if (this.raw.dialect === 'sqlite') {
      const c = this.raw.connection;
      c.transaction(() => {
        for (const [sql, params] of statements) c.prepare(this.text(sql)).run(...params);
      })();
      return;
    }
    await this.raw.sql.begin(async (tx) => {
      for (const [sql, params] of statements) await tx.unsafe(this.text(sql), params as never[]);
    });
  }
}

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

function endpointOf(r: Row): WebhookEndpoint {
  return {
    id: String(r.id),
    organizationId: String(r.organization_id),
    url: String(r.url),
    events: json(r.events) as WebhookEvent[],
    createdBy: r.created_by === null ? null : String(r.created_by),
    createdAt: toIso(r.created_at as string | Date),
  };
}

function deliveryOf(r: Row): WebhookDelivery {
  return {
    id: String(r.id),
    endpointId: String(r.endpoint_id),
    organizationId: String(r.organization_id),
    eventType: r.event_type as OutboxEventType,
    payload: json(r.payload),
    status: r.status as WebhookDelivery['status'],
    attempts: Number(r.attempts),
    nextAttemptAt: toIsoOrNull(r.next_attempt_at as string | Date | null),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error === null ? null : String(r.last_error),
    createdAt: toIso(r.created_at as string | Date),
    completedAt: toIsoOrNull(r.completed_at as string | Date | null),
  };
}

/**
 * Webhook endpoints, the outbox and the delivery log, on either dialect. Claims are conditional
 * updates with a lease, so several workers never send one attempt twice at the same time.
 */
export class WebhookStore {
  private readonly x: Executor;

  constructor(private readonly db: Database) {
    this.x = new Executor(db.raw);
  }

  async createEndpoint(input: {
    organizationId: string;
    url: string;
    events: readonly WebhookEvent[];
    secretCiphertext: string;
    createdBy: string | null;
    now?: string;
  }): Promise<WebhookEndpoint> {
    const id = randomUUID();
    const createdAt = input.now ?? new Date().toISOString();
    await this.x.batch([
      [
        'INSERT INTO webhook_endpoints (id, organization_id, url, events, secret_ciphertext, created_by, created_at) VALUES (?, ?, ?, ?json, ?, ?, ?)',
        [
          id,
          input.organizationId,
          input.url,
          JSON.stringify(input.events),
          input.secretCiphertext,
          input.createdBy,
          createdAt,
        ],
      ],
    ]);
    return {
      id,
      organizationId: input.organizationId,
      url: input.url,
      events: [...input.events],
      createdBy: input.createdBy,
      createdAt,
    };
  }

  async getEndpoint(id: string): Promise<(WebhookEndpoint & { secretCiphertext: string }) | null> {
    const [r] = await this.x.all('SELECT * FROM webhook_endpoints WHERE id = ?', [id]);
    return r ? { ...endpointOf(r), secretCiphertext: String(r.secret_ciphertext) } : null;
  }

  async listEndpoints(organizationId: string): Promise<WebhookEndpoint[]> {
    const rows = await this.x.all(
      'SELECT * FROM webhook_endpoints WHERE organization_id = ? ORDER BY created_at, id',
      [organizationId],
    );
    return rows.map(endpointOf);
  }

  /** Delete an endpoint with its deliveries and their attempts. */
  /** Every endpoint's id and sealed secret (for a key rotation; never leaves the process). */
  async allSealedSecrets(): Promise<{ id: string; secretCiphertext: string }[]> {
    const rows = await this.x.all('SELECT id, secret_ciphertext FROM webhook_endpoints ORDER BY id');
    return rows.map((r) => ({ id: String(r.id), secretCiphertext: String(r.secret_ciphertext) }));
  }

  /** Replace an endpoint's sealed secret (the same secret, sealed under another key). */
  async replaceSealedSecret(id: string, secretCiphertext: string): Promise<void> {
    await this.x.batch([
      ['UPDATE webhook_endpoints SET secret_ciphertext = ? WHERE id = ?', [secretCiphertext, id]],
    ]);
  }

  async deleteEndpoint(id: string): Promise<void> {
    await this.x.batch([['DELETE FROM webhook_endpoints WHERE id = ?', [id]]]);
  }

  /** Queue an event the database did not write itself (test events, health changes). */
  async enqueue(event: {
    organizationId: string;
    eventType: OutboxEventType;
    payload: unknown;
    endpointId?: string | null;
    syncLogId?: string | null;
    now?: string;
  }): Promise<string> {
    const id = randomUUID();
    await this.x.batch([
      [
        'INSERT INTO webhook_outbox (id, organization_id, event_type, sync_log_id, endpoint_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?json, ?)',
        [
          id,
          event.organizationId,
          event.eventType,
          event.syncLogId ?? null,
          event.endpointId ?? null,
          JSON.stringify(event.payload),
          event.now ?? new Date().toISOString(),
        ],
      ],
    ]);
    return id;
  }

  /** Outbox events not yet turned into deliveries, oldest first. */
  async pendingOutbox(limit: number): Promise<OutboxEvent[]> {
    const rows = await this.x.all(
      'SELECT * FROM webhook_outbox WHERE fanned_out_at IS NULL ORDER BY created_at, id LIMIT ?',
      [limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      organizationId: String(r.organization_id),
      eventType: r.event_type as OutboxEventType,
      syncLogId: r.sync_log_id === null ? null : String(r.sync_log_id),
      endpointId: r.endpoint_id === null ? null : String(r.endpoint_id),
      payload: r.payload === null ? null : json(r.payload),
      createdAt: toIso(r.created_at as string | Date),
    }));
  }

  /**
   * Turn one outbox event into one delivery per subscribed endpoint (or the one endpoint a test
   * names) and mark it done, in one transaction. A second relay doing the same finds the unique
   * (outbox, endpoint) pair taken and adds nothing.
   */
  async fanOut(event: OutboxEvent, payload: unknown, now: string): Promise<number> {
    const endpoints = event.endpointId
      ? await this.x.all('SELECT * FROM webhook_endpoints WHERE id = ? AND organization_id = ?', [
          event.endpointId,
          event.organizationId,
        ])
      : await this.x.all('SELECT * FROM webhook_endpoints WHERE organization_id = ?', [event.organizationId]);
    const targets = endpoints
      .map(endpointOf)
      .filter((e) => event.endpointId !== null || (e.events as string[]).includes(event.eventType));
    const statements: Statement[] = targets.map((e) => [
      `INSERT INTO webhook_deliveries (id, endpoint_id, outbox_id, organization_id, event_type, payload, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?json, 'pending', 0, ?, ?) ON CONFLICT (outbox_id, endpoint_id) DO NOTHING`,
      [
        randomUUID(),
        e.id,
        event.id,
        event.organizationId,
        event.eventType,
        JSON.stringify(payload),
        now,
        now,
      ],
    ]);
    statements.push(['UPDATE webhook_outbox SET fanned_out_at = ? WHERE id = ?', [now, event.id]]);
    await this.x.batch(statements);
    return targets.length;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const [r] = await this.x.all('SELECT * FROM webhook_deliveries WHERE id = ?', [id]);
    return r ? deliveryOf(r) : null;
  }

  /** Mark an outbox event handled without delivering it (its sync log is gone). */
  async discard(eventId: string, now: string): Promise<void> {
    await this.x.batch([['UPDATE webhook_outbox SET fanned_out_at = ? WHERE id = ?', [now, eventId]]]);
  }

  /** Lease up to `limit` due deliveries for `leaseMs` (a crashed sender's lease simply runs out). */
  async claimDue(now: string, limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    const rows = await this.x.all(
      `UPDATE webhook_deliveries SET locked_until = ?
       WHERE id IN (
         SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
         ORDER BY next_attempt_at, id LIMIT ?${lock}
       )
       AND status = 'pending' AND (locked_until IS NULL OR locked_until <= ?)
       RETURNING *`,
      [until, now, now, limit, now],
    );
    return rows.map(deliveryOf);
  }

  /** Log one attempt and move the delivery on: done, failed for good, or due again at `nextAttemptAt`. */
  async recordAttempt(
    delivery: WebhookDelivery,
    attempt: { attemptedAt: string; statusCode: number | null; error: string | null; durationMs: number },
    outcome: { status: WebhookDelivery['status']; nextAttemptAt: string | null },
  ): Promise<void> {
    const number = delivery.attempts + 1;
    const done = outcome.status === 'pending' ? null : attempt.attemptedAt;
    await this.x.batch([
      [
        'INSERT INTO webhook_delivery_attempts (id, delivery_id, attempt, attempted_at, status_code, error, duration_ms, next_retry_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          randomUUID(),
          delivery.id,
          number,
          attempt.attemptedAt,
          attempt.statusCode,
          attempt.error,
          Math.round(attempt.durationMs),
          outcome.nextAttemptAt,
        ],
      ],
      [
        `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, locked_until = NULL,
           last_status_code = ?, last_error = ?, completed_at = ? WHERE id = ?`,
        [outcome.status, number, outcome.nextAttemptAt, attempt.statusCode, attempt.error, done, delivery.id],
      ],
    ]);
  }

  /** The delivery log of an endpoint, newest first, each with its attempts. */
  async listDeliveries(
    endpointId: string,
    limit = 50,
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
    const deliveries = (
      await this.x.all(
        'SELECT * FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY created_at DESC, id LIMIT ?',
        [endpointId, limit],
      )
    ).map(deliveryOf);
    const result = [];
    for (const d of deliveries) {
      const attempts = await this.x.all(
        'SELECT * FROM webhook_delivery_attempts WHERE delivery_id = ? ORDER BY attempt',
        [d.id],
      );
      result.push({
        ...d,
        attemptLog: attempts.map((a) => ({
          attempt: Number(a.attempt),
          attemptedAt: toIso(a.attempted_at as string | Date),
          statusCode: a.status_code === null ? null : Number(a.status_code),
          error: a.error === null ? null : String(a.error),
          durationMs: Number(a.duration_ms),
          nextRetryAt: toIsoOrNull(a.next_retry_at as string | Date | null),
        })),
      });
    }
    return result;
  }
}

const stores = new WeakMap<Database, WebhookStore>();
/** The webhook store of an open database (one per handle). */
export function webhookStoreFor(db: Database): WebhookStore {
  let store = stores.get(db);
  if (!store) {
    store = new WebhookStore(db);
    stores.set(db, store);
  }
  return store;
}
