import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { LEDGER_REQUEST_TOTALS_CHECKS, UNVERIFIED_POSTING_CHECKS } from '../unverified-checks.js';
import { organizations } from './tables.js';

const tz = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'string' });

/**
 * Postings the ledger accepted but no read-back found (migration 0008, PostgreSQL). One open row per
 * organization and record; a resolution (found, or confirmed not posted by an operator) closes it for
 * good. Kept beside `tables.ts` so the two schemas merge apart.
 */
export const unverifiedPostings = pgTable(
  'unverified_postings',
  {
    id: uuid('id').primaryKey(),
    organizationId: uuid('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    accountingSystem: text('accounting_system').notNull(),
    recordId: text('record_id').notNull(),
    /** The sync that first reported it (no foreign key: a deleted sync leaves a tombstone with this id). */
    syncLogId: uuid('sync_log_id').notNull(),
    lastSyncLogId: uuid('last_sync_log_id').notNull(),
    code: text('code').notNull(),
    reason: text('reason').notNull(),
    firstSeenAt: tz('first_seen_at').notNull(),
    lastSeenAt: tz('last_seen_at').notNull(),
    resolvedAt: tz('resolved_at'),
    resolution: text('resolution'),
    resolvedBy: uuid('resolved_by'),
    resolvedSyncLogId: uuid('resolved_sync_log_id'),
  },
  (t) => [
    uniqueIndex('uq_unverified_postings_open_record')
      .on(t.organizationId, t.recordId)
      .where(sql`resolved_at IS NULL`),
    index('idx_unverified_postings_org_resolved').on(t.organizationId, t.resolvedAt),
    ...Object.entries(UNVERIFIED_POSTING_CHECKS).map(([name, body]) => check(name, body)),
  ],
);

/**
 * Ledger requests of every sync that ended, per system (migration 0008): a counter the terminal
 * status bumps in the same statement (trigger), so `/metrics` reads one row per system.
 */
export const ledgerRequestTotals = pgTable(
  'ledger_request_totals',
  {
    accountingSystem: text('accounting_system').primaryKey(),
    reads: bigint('reads', { mode: 'number' }).notNull(),
    writes: bigint('writes', { mode: 'number' }).notNull(),
  },
  () => Object.entries(LEDGER_REQUEST_TOTALS_CHECKS).map(([name, body]) => check(name, body)),
);
