import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { LEDGER_REQUEST_TOTALS_CHECKS, UNVERIFIED_POSTING_CHECKS } from '../unverified-checks.js';
import { organizations } from './tables.js';

/** Canonical ISO text, as tables.ts requires of every datetime (text order is time order). */
const canonicalIso = (column: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column}) IS ${column}`;

/** Postings the ledger accepted but no read-back found (migration 0008, SQLite); see the PostgreSQL twin. */
export const unverifiedPostings = sqliteTable(
  'unverified_postings',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    accountingSystem: text('accounting_system').notNull(),
    recordId: text('record_id').notNull(),
    syncLogId: text('sync_log_id').notNull(),
    lastSyncLogId: text('last_sync_log_id').notNull(),
    code: text('code').notNull(),
    reason: text('reason').notNull(),
    firstSeenAt: text('first_seen_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    resolvedAt: text('resolved_at'),
    resolution: text('resolution'),
    resolvedBy: text('resolved_by'),
    resolvedSyncLogId: text('resolved_sync_log_id'),
  },
  (t) => [
    uniqueIndex('uq_unverified_postings_open_record')
      .on(t.organizationId, t.recordId)
      .where(sql`resolved_at IS NULL`),
    index('idx_unverified_postings_org_resolved').on(t.organizationId, t.resolvedAt),
    ...Object.entries(UNVERIFIED_POSTING_CHECKS).map(([name, body]) => check(name, body)),
    check(
      'ck_unverified_postings_datetimes_canonical',
      sql.raw(
        [
          canonicalIso('first_seen_at'),
          canonicalIso('last_seen_at'),
          `(resolved_at IS NULL OR ${canonicalIso('resolved_at')})`,
        ].join(' AND '),
      ),
    ),
  ],
);

/** Ledger requests of every sync that ended, per system (migration 0008); see the PostgreSQL twin. */
export const ledgerRequestTotals = sqliteTable(
  'ledger_request_totals',
  {
    accountingSystem: text('accounting_system').primaryKey(),
    reads: integer('reads').notNull(),
    writes: integer('writes').notNull(),
  },
  () => Object.entries(LEDGER_REQUEST_TOTALS_CHECKS).map(([name, body]) => check(name, body)),
);
