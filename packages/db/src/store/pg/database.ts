import postgres from 'postgres';
import { migratePostgres } from '../../migrations.js';
import { driverFor } from '../driver-for.js';
import type { Database } from '../port.js';
import { SqlOrganizationStore } from '../sql-organization-store.js';
import { SqlUnverifiedPostingStore } from '../unverified-posting-store.js';
import { PgCheckpointStore } from './checkpoint-store.js';
import { PgExpenseRecordStore } from './expense-record-store.js';
import { pgSyncLogStore } from './sync-log-store.js';

/** Open a PostgreSQL database through a `postgres` pool. */
export async function openPgDatabase(
  url: string,
  options: { migrate?: boolean; max?: number } = {},
): Promise<Database> {
  if (options.migrate ?? true) await migratePostgres(url);
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    // Timestamps are mapped to ISO strings by the store; bigint counts fit in a JS number here.
    types: { bigint: postgres.BigInt },
    connection: { application_name: 'meander' },
  });
  const raw = { dialect: 'postgres', sql } as const;
  const driver = driverFor(raw);
  return {
    dialect: 'postgres',
    url,
    syncLogs: pgSyncLogStore(driver),
    organizations: new SqlOrganizationStore(driver),
    expenseRecords: new PgExpenseRecordStore(sql),
    unverifiedPostings: new SqlUnverifiedPostingStore(driver),
    checkpoints: new PgCheckpointStore(driver),
    async ping() {
      await sql`SELECT 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
    raw,
  };
}
