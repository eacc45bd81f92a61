import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../store/port.js';
import {
  bare,
  type CompiledStatement,
  decodeFields,
  decodeRow,
  executorFor,
  jsonText,
  param,
  type Runnable,
  type SchemaTables,
  type SqlExecutor,
  selectColumns,
  selectFields,
} from '../store/sql-executor.js';

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

type Tables = SchemaTables;
type EndpointRow = Tables['webhookEndpoints']['$inferSelect'];
type OutboxRow = Tables['webhookOutbox']['$inferSelect'];
type DeliveryRow = Tables['webhookDeliveries']['$inferSelect'];
type AttemptRow = Tables['webhookDeliveryAttempts']['$inferSelect'];

/*
 * Rows become the module's types here and only here. The enum columns are checked against the
 * lists this module exports (the migrations' CHECKs hold the same lists), so a value another
 * writer slipped in fails loudly, naming the column, instead of travelling on mistyped.
 */
const webhookEventSchema = z.enum(WEBHOOK_EVENTS);
const outboxEventTypeSchema = z.enum([...WEBHOOK_EVENTS, 'webhook.test']);
const deliveryStatusSchema = z.enum(['pending', 'succeeded', 'failed']);

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
    payload: r.payload ?? null,
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

/** The store's statements, compiled once per database for its dialect. */
function webhookStatements(x: SqlExecutor) {
  const e = x.tables.webhookEndpoints;
  const o = x.tables.webhookOutbox;
  const d = x.tables.webhookDeliveries;
  const a = x.tables.webhookDeliveryAttempts;
  const free = sql`${d.status} = 'pending' AND (${d.lockedUntil} IS NULL OR ${d.lockedUntil} <= ${param('now')})`;
  return {
    insertEndpoint: x.compile(sql`INSERT INTO ${e} (${bare(e.id)}, ${bare(e.organizationId)}, ${bare(e.url)},
      ${bare(e.events)}, ${bare(e.secretCiphertext)}, ${bare(e.createdBy)}, ${bare(e.createdAt)})
      VALUES (${param('id')}, ${param('organizationId')}, ${param('url')}, ${x.jsonParam('events')},
      ${param('secretCiphertext')}, ${param('createdBy')}, ${param('createdAt')})`),
    endpointById: x.compile(sql`SELECT ${selectColumns(e)} FROM ${e} WHERE ${e.id} = ${param('id')}`),
    endpointInOrganization: x.compile(sql`SELECT ${selectColumns(e)} FROM ${e}
      WHERE ${e.id} = ${param('id')} AND ${e.organizationId} = ${param('organizationId')}`),
    endpointsOf: x.compile(sql`SELECT ${selectColumns(e)} FROM ${e}
      WHERE ${e.organizationId} = ${param('organizationId')} ORDER BY ${e.createdAt}, ${e.id}`),
    sealedSecrets: x.compile(sql`SELECT ${selectFields({ id: e.id, secretCiphertext: e.secretCiphertext })}
      FROM ${e} ORDER BY ${e.id}`),
    replaceSecret: x.compile(sql`UPDATE ${e} SET ${bare(e.secretCiphertext)} = ${param('secretCiphertext')}
      WHERE ${e.id} = ${param('id')}`),
    deleteEndpoint: x.compile(sql`DELETE FROM ${e} WHERE ${e.id} = ${param('id')}`),
    insertOutbox:
      x.compile(sql`INSERT INTO ${o} (${bare(o.id)}, ${bare(o.organizationId)}, ${bare(o.eventType)},
      ${bare(o.syncLogId)}, ${bare(o.endpointId)}, ${bare(o.payload)}, ${bare(o.createdAt)})
      VALUES (${param('id')}, ${param('organizationId')}, ${param('eventType')}, ${param('syncLogId')},
      ${param('endpointId')}, ${x.jsonParam('payload')}, ${param('createdAt')})`),
    pendingOutbox: x.compile(sql`SELECT ${selectColumns(o)} FROM ${o} WHERE ${o.fannedOutAt} IS NULL
      ORDER BY ${o.createdAt}, ${o.id} LIMIT ${param('limit')}`),
    markFannedOut: x.compile(
      sql`UPDATE ${o} SET ${bare(o.fannedOutAt)} = ${param('now')} WHERE ${o.id} = ${param('id')}`,
    ),
    insertDelivery: x.compile(sql`INSERT INTO ${d} (${bare(d.id)}, ${bare(d.endpointId)}, ${bare(d.outboxId)},
      ${bare(d.organizationId)}, ${bare(d.eventType)}, ${bare(d.payload)}, ${bare(d.status)},
      ${bare(d.attempts)}, ${bare(d.nextAttemptAt)}, ${bare(d.createdAt)})
      VALUES (${param('id')}, ${param('endpointId')}, ${param('outboxId')}, ${param('organizationId')},
      ${param('eventType')}, ${x.jsonParam('payload')}, 'pending', 0, ${param('now')}, ${param('now')})
      ON CONFLICT (${bare(d.outboxId)}, ${bare(d.endpointId)}) DO NOTHING`),
    deliveryById: x.compile(sql`SELECT ${selectColumns(d)} FROM ${d} WHERE ${d.id} = ${param('id')}`),
    claimDue: x.compile(sql`UPDATE ${d} SET ${bare(d.lockedUntil)} = ${param('until')}
      WHERE ${bare(d.id)} IN (
        SELECT ${d.id} FROM ${d} WHERE ${free} AND ${d.nextAttemptAt} <= ${param('now')}
        ORDER BY ${d.nextAttemptAt}, ${d.id} LIMIT ${param('limit')}${x.skipLocked}
      )
      AND ${free}
      RETURNING ${selectColumns(d)}`),
    insertAttempt: x.compile(sql`INSERT INTO ${a} (${bare(a.id)}, ${bare(a.deliveryId)}, ${bare(a.attempt)},
      ${bare(a.attemptedAt)}, ${bare(a.statusCode)}, ${bare(a.error)}, ${bare(a.durationMs)}, ${bare(a.nextRetryAt)})
      VALUES (${param('id')}, ${param('deliveryId')}, ${param('attempt')}, ${param('attemptedAt')},
      ${param('statusCode')}, ${param('error')}, ${param('durationMs')}, ${param('nextRetryAt')})`),
    moveDelivery: x.compile(sql`UPDATE ${d} SET ${bare(d.status)} = ${param('status')},
      ${bare(d.attempts)} = ${param('attempts')}, ${bare(d.nextAttemptAt)} = ${param('nextAttemptAt')},
      ${bare(d.lockedUntil)} = NULL, ${bare(d.lastStatusCode)} = ${param('lastStatusCode')},
      ${bare(d.lastError)} = ${param('lastError')}, ${bare(d.completedAt)} = ${param('completedAt')}
      WHERE ${d.id} = ${param('id')}`),
    deliveriesOf:
      x.compile(sql`SELECT ${selectColumns(d)} FROM ${d} WHERE ${d.endpointId} = ${param('endpointId')}
      ORDER BY ${d.createdAt} DESC, ${d.id} LIMIT ${param('limit')}`),
  };
}

/**
 * Webhook endpoints, the outbox and the delivery log, written once over the schema's table objects
 * for both dialects (what differs lives in {@link SqlExecutor}). Claims are conditional updates with
 * a lease, so several workers never send one attempt twice at the same time.
 */
export class WebhookStore {
  private readonly x: SqlExecutor;
  private readonly q: ReturnType<typeof webhookStatements>;

  constructor(db: Pick<Database, 'raw'>) {
    this.x = executorFor(db.raw);
    this.q = webhookStatements(this.x);
  }

  private async endpoints(
    statement: CompiledStatement,
    values: Record<string, unknown>,
  ): Promise<EndpointRow[]> {
    const e = this.x.tables.webhookEndpoints;
    return (await this.x.all([statement, values])).map((r) => decodeRow(e, r));
  }

  private async deliveries(
    statement: CompiledStatement,
    values: Record<string, unknown>,
  ): Promise<WebhookDelivery[]> {
    const d = this.x.tables.webhookDeliveries;
    return (await this.x.all([statement, values])).map((r) => deliveryOf(decodeRow(d, r)));
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
    await this.x.run([
      this.q.insertEndpoint,
      {
        id,
        organizationId: input.organizationId,
        url: input.url,
        events: jsonText(input.events),
        secretCiphertext: input.secretCiphertext,
        createdBy: input.createdBy,
        createdAt,
      },
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
    const [r] = await this.endpoints(this.q.endpointById, { id });
    return r ? { ...endpointOf(r), secretCiphertext: r.secretCiphertext } : null;
  }

  async listEndpoints(organizationId: string): Promise<WebhookEndpoint[]> {
    return (await this.endpoints(this.q.endpointsOf, { organizationId })).map(endpointOf);
  }

  /** Every endpoint's id and sealed secret (for a key rotation; never leaves the process). */
  async allSealedSecrets(): Promise<{ id: string; secretCiphertext: string }[]> {
    const e = this.x.tables.webhookEndpoints;
    const fields = { id: e.id, secretCiphertext: e.secretCiphertext };
    return (await this.x.all([this.q.sealedSecrets, {}])).map((r) => decodeFields(fields, r));
  }

  /** Replace an endpoint's sealed secret (the same secret, sealed under another key). */
  async replaceSealedSecret(id: string, secretCiphertext: string): Promise<void> {
    await this.x.run([this.q.replaceSecret, { id, secretCiphertext }]);
  }

  /** Delete an endpoint with its deliveries and their attempts (foreign keys cascade). */
  async deleteEndpoint(id: string): Promise<void> {
    await this.x.run([this.q.deleteEndpoint, { id }]);
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
    await this.x.run([
      this.q.insertOutbox,
      {
        id,
        organizationId: event.organizationId,
        eventType: event.eventType,
        syncLogId: event.syncLogId ?? null,
        endpointId: event.endpointId ?? null,
        payload: jsonText(event.payload),
        createdAt: event.now ?? new Date().toISOString(),
      },
    ]);
    return id;
  }

  /** Outbox events not yet turned into deliveries, oldest first. */
  async pendingOutbox(limit: number): Promise<OutboxEvent[]> {
    const o = this.x.tables.webhookOutbox;
    const rows = await this.x.all([this.q.pendingOutbox, { limit }]);
    return rows.map((r) => outboxEventOf(decodeRow(o, r)));
  }

  /**
   * Turn one outbox event into one delivery per subscribed endpoint (or the one endpoint a test
   * names) and mark it done, in one transaction. A second relay doing the same finds the unique
   * (outbox, endpoint) pair taken and adds nothing.
   */
  async fanOut(event: OutboxEvent, payload: unknown, now: string): Promise<number> {
    const endpoints = (
      event.endpointId
        ? await this.endpoints(this.q.endpointInOrganization, {
            id: event.endpointId,
            organizationId: event.organizationId,
          })
        : await this.endpoints(this.q.endpointsOf, { organizationId: event.organizationId })
    ).map(endpointOf);
    const targets = endpoints.filter(
      (endpoint) => event.endpointId !== null || (endpoint.events as string[]).includes(event.eventType),
    );
    const body = jsonText(payload);
    const writes: Runnable[] = targets.map((endpoint) => [
      this.q.insertDelivery,
      {
        id: randomUUID(),
        endpointId: endpoint.id,
        outboxId: event.id,
        organizationId: event.organizationId,
        eventType: event.eventType,
        payload: body,
        now,
      },
    ]);
    writes.push([this.q.markFannedOut, { id: event.id, now }]);
    await this.x.transaction(writes);
    return targets.length;
  }

  async getDelivery(id: string): Promise<WebhookDelivery | null> {
    const [delivery] = await this.deliveries(this.q.deliveryById, { id });
    return delivery ?? null;
  }

  /** Mark an outbox event handled without delivering it (its sync log is gone). */
  async discard(eventId: string, now: string): Promise<void> {
    await this.x.run([this.q.markFannedOut, { id: eventId, now }]);
  }

  /** Lease up to `limit` due deliveries for `leaseMs` (a crashed sender's lease simply runs out). */
  async claimDue(now: string, limit: number, leaseMs: number): Promise<WebhookDelivery[]> {
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    return this.deliveries(this.q.claimDue, { now, until, limit });
  }

  /** Log one attempt and move the delivery on: done, failed for good, or due again at `nextAttemptAt`. */
  async recordAttempt(
    delivery: WebhookDelivery,
    attempt: { attemptedAt: string; statusCode: number | null; error: string | null; durationMs: number },
    outcome: { status: WebhookDelivery['status']; nextAttemptAt: string | null },
  ): Promise<void> {
    const number = delivery.attempts + 1;
    await this.x.transaction([
      [
        this.q.insertAttempt,
        {
          id: randomUUID(),
          deliveryId: delivery.id,
          attempt: number,
          attemptedAt: attempt.attemptedAt,
          statusCode: attempt.statusCode,
          error: attempt.error,
          durationMs: Math.round(attempt.durationMs),
          nextRetryAt: outcome.nextAttemptAt,
        },
      ],
      [
        this.q.moveDelivery,
        {
          id: delivery.id,
          status: outcome.status,
          attempts: number,
          nextAttemptAt: outcome.nextAttemptAt,
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
          completedAt: outcome.status === 'pending' ? null : attempt.attemptedAt,
        },
      ],
    ]);
  }

  /** The delivery log of an endpoint, newest first, each with its attempts. */
  async listDeliveries(
    endpointId: string,
    limit = 50,
  ): Promise<(WebhookDelivery & { attemptLog: WebhookAttempt[] })[]> {
    const deliveries = await this.deliveries(this.q.deliveriesOf, { endpointId, limit });
    if (deliveries.length === 0) return [];
    // One query for every listed delivery's attempts, not one per delivery (its IN list varies,
    // so it is compiled per call).
    const a = this.x.tables.webhookDeliveryAttempts;
    const ids = sql.join(
      deliveries.map((d) => sql`${d.id}`),
      sql`, `,
    );
    const attempts = (
      await this.x.all(sql`SELECT ${selectColumns(a)} FROM ${a} WHERE ${a.deliveryId} IN (${ids})
        ORDER BY ${a.deliveryId}, ${a.attempt}`)
    ).map((r) => decodeRow(a, r));
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const row of attempts) {
      const list = byDelivery.get(row.deliveryId) ?? [];
      list.push(attemptOf(row));
      byDelivery.set(row.deliveryId, list);
    }
    return deliveries.map((d) => ({ ...d, attemptLog: byDelivery.get(d.id) ?? [] }));
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
