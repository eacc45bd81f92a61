import { parseDatabaseUrl } from './connection-url.js';
import type { CredentialCipher } from './credentials/cipher.js';
import { withCredentials } from './credentials/with-credentials.js';
import { openPgDatabase } from './store/pg/database.js';
import type { Database } from './store/port.js';
import { openSqliteDatabase } from './store/sqlite/database.js';

export * from './checkpoints/index.js';
export { DEFAULT_DATABASE_URL, dialectOf, parseDatabaseUrl } from './connection-url.js';
export * from './credentials/index.js';
export { ensureDatabase } from './ensure-database.js';
export { MIGRATIONS, migrate } from './migrations.js';
export { ensureSecretFile } from './secret-file.js';
export { MIN_JWT_SECRET_BYTES, weakJwtSecretReason, weakKeyReason } from './secret-strength.js';
export { DEMO_ORGANIZATIONS, seedDemo } from './seed.js';
export { exitOnStartupFailure, startupFailureLine } from './startup-failure.js';
export { DatabaseUnavailableError, unavailableError } from './store/constraint-errors.js';
export type { RejectedRecord, UpsertResult, WithdrawResult } from './store/expense-record-intake.js';
export type { ExpenseRecordView } from './store/expense-record-view.js';
export { chainHash, GENESIS_HASH } from './store/hash-chain.js';
export type * from './store/port.js';
export { syncRunnerOf } from './store/runner-of.js';
export { SCHEDULED_BATCH_MAX, type ScheduledSyncInput } from './store/scheduled-syncs.js';
export { DEFAULT_LEASE_SECONDS, type SyncLease } from './store/sync-lease.js';
export type { ReverseSyncCommand } from './store/sync-reversal.js';

/**
 * Open the database a DATABASE_URL points at: `file:<path>` (SQLite, the embedded default) or
 * `postgres://…`. Migrates first unless `migrate: false`.
 */
export async function openDatabase(
  url: string,
  options: {
    migrate?: boolean;
    poolSize?: number;
    /** SQLite only: this connection's page cache in MiB (default SQLite's 2 MiB; the API asks for more). */
    sqliteCacheMiB?: number;
    credentials?: CredentialCipher;
  } = {},
): Promise<Database> {
  const parsed = parseDatabaseUrl(url);
  const db =
    parsed.dialect === 'sqlite'
      ? openSqliteDatabase(url, parsed.filename, {
          migrate: options.migrate,
          cacheMiB: options.sqliteCacheMiB,
        })
      : await openPgDatabase(parsed.url, { migrate: options.migrate, max: options.poolSize });
  // With a credentials key, connection settings are sealed on the way in (see credentials/).
  return options.credentials ? withCredentials(db, options.credentials) : db;
}
export { loadIntegrationHealth, scheduleTimes } from './health/load-health.js';
export { readLedgerRequestTotals } from './metrics/ledger-requests.js';
export { countUnclassifiedErrors } from './rejections/unclassified.js';
export { recordTraceParent, takeTraceParent } from './tracing/trace-parents.js';
export { HealthAnnouncements, healthAnnouncementsFor } from './webhooks/health-announcements.js';
export {
  type HealthChangedData,
  type SyncEventData,
  syncEventPayload,
  type WebhookPayload,
} from './webhooks/payloads.js';
export { rotateWebhookSecrets, type WebhookSecretRotation } from './webhooks/rotate-secrets.js';
export { SecretBox, secretBoxFromEnv } from './webhooks/secret-box.js';
export {
  type OutboxEvent,
  type OutboxEventType,
  WEBHOOK_EVENTS,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEvent,
  type WebhookJsonObject,
  WebhookStore,
  webhookStoreFor,
} from './webhooks/store.js';
export {
  assertWebhookUrl,
  isAllowedHost,
  isPrivateAddress,
  parseAllowedHosts,
  WebhookUrlRefused,
} from './webhooks/url-guard.js';
