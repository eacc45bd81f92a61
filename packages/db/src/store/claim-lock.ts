import { type SQL, sql } from 'drizzle-orm';
import type { Dialect } from './port.js';

/**
 * Appended to the pick of rows a claimer is about to take, so concurrent claimers take different
 * rows instead of queueing on one: `FOR UPDATE SKIP LOCKED` on PostgreSQL; nothing on SQLite,
 * whose single writer (BEGIN IMMEDIATE, or one statement) already serialises claims.
 */
export const CLAIM_LOCK = {
  sqlite: sql``,
  postgres: sql` FOR UPDATE SKIP LOCKED`,
} as const satisfies Record<Dialect, SQL>;
