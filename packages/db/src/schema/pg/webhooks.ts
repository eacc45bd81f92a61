import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { organizations } from './tables.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'string' });

/** Webhook tables (migration 0005, PostgreSQL). Kept beside `tables.ts` so the two schemas merge apart. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: jsonb('events').$type<string[]>().notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdBy: uuid('created_by'),
    createdAt: tz('created_at').notNull(),
  },
  (t) => [index('webhook_endpoints_organization_idx').on(t.organizationId)],
);

export const webhookOutbox = pgTable(
  'webhook_outbox',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id').notNull(),
    eventType: text('event_type').notNull(),
    syncLogId: uuid('sync_log_id'),
    endpointId: uuid('endpoint_id'),
    payload: jsonb('payload').$type<unknown>(),
    createdAt: tz('created_at').notNull(),
    fannedOutAt: tz('fanned_out_at'),
  },
  (t) => [
    index('webhook_outbox_pending_idx').on(t.createdAt).where(sql`fanned_out_at IS NULL`),
    index('webhook_outbox_health_idx')
      .on(t.organizationId, t.createdAt)
      .where(sql`event_type = 'integration.health_changed'`),
    check(
      'ck_webhook_outbox_event_type',
      sql`event_type IN ('sync.succeeded', 'sync.partial', 'sync.failed', 'integration.health_changed', 'webhook.test')`,
    ),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    outboxId: uuid('outbox_id').notNull(),
    organizationId: uuid('organization_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<unknown>().notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tz('next_attempt_at'),
    lockedUntil: tz('locked_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: tz('created_at').notNull(),
    completedAt: tz('completed_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_outbox_endpoint_uq').on(t.outboxId, t.endpointId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    check('ck_webhook_deliveries_status', sql`status IN ('pending', 'succeeded', 'failed')`),
    check('ck_webhook_deliveries_attempts', sql`attempts >= 0`),
  ],
);

export const webhookDeliveryAttempts = pgTable(
  'webhook_delivery_attempts',
  {
    id: uuid('id').primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    attemptedAt: tz('attempted_at').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    nextRetryAt: tz('next_retry_at'),
  },
  (t) => [index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);
