import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { organizations } from './tables.js';

/** Webhook tables (migration 0005, SQLite). Kept beside `tables.ts` so the two schemas merge apart. */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    secretCiphertext: text('secret_ciphertext').notNull(),
    createdBy: text('created_by'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('webhook_endpoints_organization_idx').on(t.organizationId)],
);

export const webhookOutbox = sqliteTable(
  'webhook_outbox',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    eventType: text('event_type').notNull(),
    syncLogId: text('sync_log_id'),
    endpointId: text('endpoint_id'),
    payload: text('payload', { mode: 'json' }).$type<unknown>(),
    createdAt: text('created_at').notNull(),
    fannedOutAt: text('fanned_out_at'),
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

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    outboxId: text('outbox_id').notNull(),
    organizationId: text('organization_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: text('payload', { mode: 'json' }).$type<unknown>().notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: text('next_attempt_at'),
    lockedUntil: text('locked_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: text('created_at').notNull(),
    completedAt: text('completed_at'),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_outbox_endpoint_uq').on(t.outboxId, t.endpointId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    check('ck_webhook_deliveries_status', sql`status IN ('pending', 'succeeded', 'failed')`),
    check('ck_webhook_deliveries_attempts', sql`attempts >= 0`),
  ],
);

export const webhookDeliveryAttempts = sqliteTable(
  'webhook_delivery_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    attemptedAt: text('attempted_at').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    nextRetryAt: text('next_retry_at'),
  },
  (t) => [index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);
