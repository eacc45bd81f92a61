import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CLAIM_LOCK } from '../store/claim-lock.js';
import { all, type Driver, type Program, write } from '../store/driver.js';
import { driverFor } from '../store/driver-for.js';
import { oncePer } from '../store/once-per.js';
import type { Database, Dialect } from '../store/port.js';
import {
  bare,
  decodeFields,
  decodeRow,
  type SchemaTables,
  selectColumns,
  selectFields,
  tablesOf,
} from '../store/schema-rows.js';
import { assign, compileAll, insertValues, p, type Statement, type Values } from '../store/statement.js';

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

/**
 * A webhook payload as the outbox and the deliveries hold it: a JSON object. Only an object reads
 * back the same from both dialects' JSON columns (and is what receivers parse), so a bare string or
 * array is refused by the compiler rather than stored differently.
 */
export type WebhookJsonObject = Readonly<Record<string, unknown>>;

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
  /** Null for a sync event the database wrote itself: the relay builds its payload from the sync. */
  payload: WebhookJsonObject | null;
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

type EndpointRow = SchemaTables['webhookEndpoints']['$inferSelect'];
type OutboxRow = SchemaTables['webhookOutbox']['$inferSelect'];
type DeliveryRow = SchemaTables['webhookDeliveries']['$inferSelect'];
type AttemptRow = SchemaTables['webhookDeliveryAttempts']['$inferSelect'];

/*
 * Rows become the module's types here and only here. The enum columns are checked against the
 * lists this module exports (the migrations' CHECKs hold the same lists), so a value another
 * writer slipped in fails loudly, naming the column, instead of travelling on mistyped.
 */
const webhookEventSchema = z.enum(WEBHOOK_EVENTS);
const outboxEventTypeSchema = z.enum([...WEBHOOK_EVENTS, 'webhook.test']);
const deliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);

/** A JSON object (or NULL) as read from a payload column; anything else another writer stored fails loudly. */
const payloadSchema = z.custom<WebhookJsonObject | null>(
  (value) => value === null || (typeof value === 'object' && !Array.isArray(value)),
);

function checked<T>(schema: z.ZodType<T>, value: unknown, column: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Unexpected value in ${column}: ${JSON.stringify(value)}`);
  return result.data;
}

function endpointOf(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    organizationId: r.organizationId,
    url: r.url,
    events: checked(z.array(webhookEventSchema), r.events, 'webhook_endpoints.events'),
    createdBy: r.createdBy,
    createdAt: r.createdAt,
  };
}

function outboxEventOf(r: OutboxRow): OutboxEvent {
  return {
    id: r.id,
    organizationId: r.organizationId,
    eventType: checked(outboxEventTypeSchema, r.eventType, 'webhook_outbox.event_type'),
    syncLogId: r.syncLogId,
    endpointId: r.endpointId,
    payload: checked(payloadSchema, r.payload ?? null, 'webhook_outbox.payload'),
    createdAt: r.createdAt,
  };
}

function deliveryOf(r: DeliveryRow): WebhookDelivery {
  return {
    id: r.id,
    endpointId: r.endpointId,
    organizationId: r.organizationId,
    eventType: checked(outboxEventTypeSchema, r.eventType, 'webhook_deliveries.event_type'),
    payload: r.payload,
    status: checked(deliveryStatusSchema, r.status, 'webhook_deliveries.status'),
    attempts: r.attempts,
    nextAttemptAt: r.nextAttemptAt,
    lastStatusCode: r.lastStatusCode,
    lastError: r.lastError,
    createdAt: r.createdAt,
    completedAt: r.completedAt,
  };
}

function attemptOf(r: AttemptRow): WebhookAttempt {
  return {
    attempt: r.attempt,
    attemptedAt: r.attemptedAt,
    statusCode: r.statusCode,
    error: r.error,
    durationMs: r.durationMs,
    nextRetryAt: r.nextRetryAt,
  };
}

/** The store's statements, written once over the dialect's tables (compiled once per store). */
/** An outbox event's insert: the fan-out's and the health announcements' alike. */
export function insertOutboxEvent(o: SchemaTables['webhookOutbox']): SQL {
  return sql`INSERT INTO ${o} ${insertValues(o, [
    'id',
    'organizationId',
    'eventType',
    'syncLogId',
    'endpointId',
    'payload',
    'createdAt',
  ])}`;
}

function webhookStatements(dialect: Dialect) {
  const {
    webhookEndpoints: e,
    webhookOutbox: o,
    webhookDeliveries: d,
    webhookDeliveryAttempts: a,
  } = tablesOf(dialect);
  const free = sql`${d.status} = 'pending' AND (${d.lockedUntil} IS NULL OR ${d.lockedUntil} <= ${p('now')})`;
  // Rows come back keyed by the schema's field names, so decodeRow maps them with the columns' own mappers.
  const endpoint = selectColumns(e);
  const delivery = selectColumns(d);
  const deliveriesOf = sql`${d.endpointId} = ${p('endpointId')} ORDER BY ${d.createdAt} DESC, ${d.id} LIMIT ${p('limit')}`;
  return {
    insertEndpoint: sql`INSERT INTO ${e} ${insertValues(e, [
      'id',
      'organizationId',
      'url',
      'events',
      'secretCiphertext',
      'createdBy',
      'createdAt',
    ])}`,
    endpointById: sql`SELECT ${endpoint} FROM ${e} WHERE ${e.id} = ${p('id')}`,
    endpointInOrganization: sql`SELECT ${endpoint} FROM ${e}
      WHERE ${e.id} = ${p('id')} AND ${e.organizationId} = ${p('organizationId')}`,
    endpointsOf: sql`SELECT ${endpoint} FROM ${e}
      WHERE ${e.organizationId} = ${p('organizationId')} ORDER BY ${e.createdAt}, ${e.id}`,
    sealedSecrets: sql`SELECT ${selectFields({ id: e.id, secretCiphertext: e.secretCiphertext })}
      FROM ${e} ORDER BY ${e.id}`,
    replaceSecret: sql`UPDATE ${e} SET ${assign(e, ['secretCiphertext'])} WHERE ${e.id} = ${p('id')}`,
    deleteEndpoint: sql`DELETE FROM ${e} WHERE ${e.id} = ${p('id')}`,
    insertOutbox: insertOutboxEvent(o),
    pendingOutbox: sql`SELECT ${selectColumns(o)} FROM ${o} WHERE ${o.fannedOutAt} IS NULL
      ORDER BY ${o.createdAt}, ${o.id} LIMIT ${p('limit')}`,
    markFannedOut: sql`UPDATE ${o} SET ${bare(o.fannedOutAt)} = ${p('now')} WHERE ${o.id} = ${p('id')}`,
    insertDelivery: sql`INSERT INTO ${d} (${bare(d.id)}, ${bare(d.endpointId)}, ${bare(d.outboxId)},
      ${bare(d.organizationId)}, ${bare(d.eventType)}, ${bare(d.payload)}, ${bare(d.status)},
      ${bare(d.attempts)}, ${bare(d.nextAttemptAt)}, ${bare(d.createdAt)})
      VALUES (${p('id')}, ${p('endpointId')}, ${p('outboxId')}, ${p('organizationId')},
      ${p('eventType')}, ${p('payload')}, 'pending', 0, ${p('now')}, ${p('now')})
      ON CONFLICT (${bare(d.outboxId)}, ${bare(d.endpointId)}) DO NOTHING`,
    deliveryById: sql`SELECT ${delivery} FROM ${d} WHERE ${d.id} = ${p('id')}`,
    // The pick is a CTE, taken once: it skips rows another claimer holds (PostgreSQL) and locks
    // what it takes. Not `WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may
    // re-run that subquery while the UPDATE rechecks a row, so one claimer leased more than n. The
    // outer `free` re-checks each picked row under its lock, so a lease is never taken twice.
    claimDue: sql`WITH picked AS (
        SELECT ${d.id} AS picked_id FROM ${d} WHERE ${free} AND ${d.nextAttemptAt} <= ${p('now')}
        ORDER BY ${d.nextAttemptAt}, ${d.id} LIMIT ${p('limit')}${CLAIM_LOCK[dialect]}
      )
      UPDATE ${d} SET ${bare(d.lockedUntil)} = ${p('until')} FROM picked
      WHERE ${d.id} = picked.picked_id AND ${free}
      RETURNING ${delivery}`,
    insertAttempt: sql`INSERT INTO ${a} ${insertValues(a, [
      'id',
      'deliveryId',
      'attempt',
      'attemptedAt',
      'statusCode',
      'error',
      'durationMs',
      'nextRetryAt',
    ])}`,
    moveDelivery: sql`UPDATE ${d} SET ${assign(d, [
      'status',
      'attempts',
      'nextAttemptAt',
      'lastStatusCode',
      'lastError',
      'completedAt',
    ])}, ${bare(d.lockedUntil)} = NULL
      WHERE ${d.id} = ${p('id')}`,
    deliveriesOf: sql`SELECT ${delivery} FROM ${d} WHERE ${deliveriesOf}`,
    // The attempts of exactly the page deliveriesOf lists, in one fixed statement (not an IN list
    // of ids, whose text would vary with the page's length).
    attemptsOfDeliveriesOf: sql`SELECT ${selectColumns(a)} FROM ${a}
      WHERE ${a.deliveryId} IN (SELECT ${d.id} FROM ${d} WHERE ${deliveriesOf})
      ORDER BY ${a.deliveryId}, ${a.attempt}`,
  } satisfies Record<string, SQL>;
}

/** The webhook statements compiled for one dialect. */
export function compileWebhookStatements(dialect: Dialect) {
  return compileAll(dialect, webhookStatements(dialect));
}

/** Endpoint rows of a statement, decoded by the schema's columns. */
function* endpointsOf(tables: SchemaTables, statement: Statement, values: Values): Program<EndpointRow[]> {
  return yield* all(statement, values, (r) => decodeRow(tables.webhookEndpoints, r));
}

/** Deliveries of a statement, decoded by the schema's columns. */
function* deliveriesOf(
  tables: SchemaTables,
  statement: Statement,
  values: Values,
): Program<WebhookDelivery[]> {
  return yield* all(statement, values, (r) => deliveryOf(decodeRow(tables.webhookDeliveries, r)));
}

/**
 * Webhook endpoints, the outbox and the delivery log, written once over the schema's table objects
 * for both dialects on the one query layer: statements compiled once (statement.ts), run as
 * programs by the database's driver (driver.ts; what differs per dialect lives there and in
 * claim-lock.ts). Claims are conditional updates with a lease, so several workers never send one
 * attempt twice at the same time.
 */
export class WebhookStore {
  private readonly driver: Driver;
  private readonly tables: SchemaTables;
  private readonly q: ReturnType<typeof compileWebhookStatements>;

  constructor(db: Pick<Database, 'raw'>) {
    this.driver = driverFor(db.raw);
    this.tables = tablesOf(this.driver.dialect);
    this.q = compileWebhookStatements(this.driver.dialect);
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
    await this.driver.run(
      write(this.q.insertEndpoint, {
        id,
        organizationId: input.organizationId,
        url: input.url,
        // JSON columns bind the value itself (see the drivers): a jsonb array here, JSON text on SQLite.
        events: [...input.events],
        secretCiphertext: input.secretCiphertext,
        createdBy: input.createdBy,
        createdAt,
      }),
    );
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
    const [r] = await this.driver.run(endpointsOf(this.tables, this.q.endpointById, { id }));
    return r ? { ...endpointOf(r), secretCiphertext: r.secretCiphertext } : null;
  }

  async listEndpoints(organizationId: string): Promise<WebhookEndpoint[]> {
    return (await this.driver.run(endpointsOf(this.tables, this.q.endpointsOf, { organizationId }))).map(
      endpointOf,
    );
  }

  /** Every endpoint's id and sealed secret (for a key rotation; never leaves the process). */
  async allSealedSecrets(): Promise<{ id: string; secretCiphertext: string }[]> {
    const e = this.tables.webhookEndpoints;
    const fields = { id: e.id, secretCiphertext: e.secretCiphertext };
    const rows = await this.driver.run(all(this.q.sealedSecrets, {}, (r) => decodeFields(fields, r)));
    return rows;
  }

  /** Replace an endpoint's sealed secret (the same secret, sealed under another key). */
  async replaceSealedSecret(id: string, secretCiphertext: string): Promise<void> {
    await this.driver.run(write(this.q.replaceSecret, { id, secretCiphertext }));
  }

  /** Delete an endpoint with its deliveries and their attempts (foreign keys cascade). */
  async deleteEndpoint(id: string): Promise<void> {
    await this.driver.run(write(this.q.deleteEndpoint, { id }));
  }

  /** Queue an event the database did not write itself (test events, health changes). */
  async enqueue(event: {
    organizationId: string;
    eventType: OutboxEventType;
    payload: WebhookJsonObject;
    endpointId?: string | null;
    syncLogId?: string | null;
    now?: string;
  }): Promise<string> {
    const id = randomUUID();
    await this.driver.run(
      write(this.q.insertOutbox, {
        id,
        organizationId: event.organizationId,
        eventType: event.eventType,
        syncLogId: event.syncLogId ?? null,
        endpointId: event.endpointId ?? null,
        payload: event.payload,
        createdAt: event.now ?? new Date().toISOString(),
      }),
    );
    return id;
  }

  /** Outbox events not yet turned into deliveries, oldest first. */
  async pendingOutbox(limit: number): Promise<OutboxEvent[]> {
    const o = this.tables.webhookOutbox;
    return this.driver.run(all(this.q.pendingOutbox, { limit }, (r) => outboxEventOf(decodeRow(o, r))));
  }

  /**
   * Turn one outbox event into one delivery per subscribed endpoint (or the one endpoint a test
   * names) and mark it done, in one transaction. A second relay doing the same finds the unique
   * (outbox, endpoint) pair taken and adds nothing.
   */
  async fanOut(event: OutboxEvent, payload: WebhookJsonObject, now: string): Promise<number> {
    const endpoints = (
      await this.driver.run(
        event.endpointId
          ? endpointsOf(this.tables, this.q.endpointInOrganization, {
              id: event.endpointId,
              organizationId: event.organizationId,
            })
          : endpointsOf(this.tables, this.q.endpointsOf, { organizationId: event.organizationId }),
      )
    ).map(endpointOf);
    const targets = endpoints.filter(
      (endpoint) => event.endpointId !== null || (endpoint.events as string[]).includes(event.eventType),
    );
    const q = this.q;
    await this.driver.transaction(function* (): Program<void> {
      for (const endpoint of targets) {
        yield* write(q.insertDelivery, {
          id: randomUUID(),
          endpointId: endpoint.id,
          outboxId: event.id,
          organizationId: event.organizationId,
          eventType: event.eventType,
          payload,
          now,
        });
      }
      yield* write(q.markFannedOut, { id: event.id, now });
    });
    return targets.length;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const [delivery] = await this.driver.run(deliveriesOf(this.tables, this.q.deliveryById, { id }));
    return delivery ?? null;
  }

  /** Mark an outbox event handled without delivering it (its sync log is gone). */
  async discard(eventId: string, now: string): Promise<void> {
    await this.driver.run(write(this.q.markFannedOut, { id: eventId, now }));
  }

  /** Lease up to `limit` due deliveries for `leaseMs` (a crashed sender's lease simply runs out). */
  async claimDue(now: string, limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    return this.driver.run(deliveriesOf(this.tables, this.q.claimDue, { now, until, limit }));
  }

  /** Log one attempt and move the delivery on: done, failed for good, or due again at `nextAttemptAt`. */
  async recordAttempt(
    delivery: WebhookDelivery,
    attempt: { attemptedAt: string; statusCode: number | null; error: string | null; durationMs: number },
    outcome: { status: WebhookDelivery['status']; nextAttemptAt: string | null },
  ): Promise<void> {
    const number = delivery.attempts + 1;
    const q = this.q;
    await this.driver.transaction(function* (): Program<void> {
      yield* write(q.insertAttempt, {
        id: randomUUID(),
        deliveryId: delivery.id,
        attempt: number,
        attemptedAt: attempt.attemptedAt,
        statusCode: attempt.statusCode,
        error: attempt.error,
        durationMs: Math.round(attempt.durationMs),
        nextRetryAt: outcome.nextAttemptAt,
      });
      yield* write(q.moveDelivery, {
        id: delivery.id,
        status: outcome.status,
        attempts: number,
        nextAttemptAt: outcome.nextAttemptAt,
        lastStatusCode: attempt.statusCode,
        lastError: attempt.error,
        completedAt: outcome.status === 'pending' ? null : attempt.attemptedAt,
      });
    });
  }

  /** The delivery log of an endpoint, newest first, each with its attempts. */
  async listDeliveries(
    endpointId: string,
    limit = 50,
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
    const deliveries = await this.driver.run(
      deliveriesOf(this.tables, this.q.deliveriesOf, { endpointId, limit }),
    );
    if (deliveries.length === 0) return [];
    const a = this.tables.webhookDeliveryAttempts;
    // One query for every listed delivery's attempts, not one per delivery. A delivery created
    // between the two reads may add attempts of a row not listed: they find no entry and are dropped.
    const attempts = await this.driver.run(
      all(this.q.attemptsOfDeliveriesOf, { endpointId, limit }, (r) => decodeRow(a, r)),
    );
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const row of attempts) {
      const list = byDelivery.get(row.deliveryId) ?? [];
      list.push(attemptOf(row));
      byDelivery.set(row.deliveryId, list);
    }
    return deliveries.map((d) => ({ ...d, attemptLog: byDelivery.get(d.id) ?? [] }));
  }
}

/** The webhook store of an open database (one per handle). */
export const webhookStoreFor: (db: Database) => WebhookStore = oncePer((db) => new WebhookStore(db));
