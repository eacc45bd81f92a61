import { ACCOUNTING_SYSTEMS, UNVERIFIED_RESOLUTIONS } from '@meander/domain';
import { sql } from 'drizzle-orm';
import { inEnum } from './checks.js';

/**
 * The unverified_postings CHECKs both dialects share, built from the domain's lists. A resolution
 * and its time come together and never partly; an operator's confirmation names who confirmed.
 */
export const UNVERIFIED_POSTING_CHECKS = {
  ck_unverified_postings_accounting_system: inEnum('accounting_system', ACCOUNTING_SYSTEMS),
  // NULL (open) passes a CHECK, as it should.
  ck_unverified_postings_resolution: inEnum('resolution', UNVERIFIED_RESOLUTIONS),
  ck_unverified_postings_resolved_together: sql`(resolved_at IS NULL) = (resolution IS NULL) AND (resolved_at IS NULL) = (resolved_sync_log_id IS NULL)`,
  ck_unverified_postings_confirmed_by: sql`resolution IS NULL OR resolution <> 'confirmed_unposted' OR resolved_by IS NOT NULL`,
  ck_unverified_postings_seen_order: sql`last_seen_at >= first_seen_at AND (resolved_at IS NULL OR resolved_at >= first_seen_at)`,
  ck_unverified_postings_text_bounded: sql`length(record_id) BETWEEN 1 AND 200 AND length(code) BETWEEN 1 AND 120 AND length(reason) <= 1000`,
} as const;

/** Counts never go below zero. */
export const LEDGER_REQUEST_TOTALS_CHECKS = {
  ck_ledger_request_totals_accounting_system: inEnum('accounting_system', ACCOUNTING_SYSTEMS),
  ck_ledger_request_totals_non_negative: sql`reads >= 0 AND writes >= 0`,
} as const;
