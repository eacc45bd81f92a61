import { parseDatabaseUrl } from './connection-url.js';
import type { CredentialCipher } from './credentials/cipher.js';
import { withCredentials } from './credentials/with-credentials.js';
import { openPgDatabase } from './store/pg/database.js';
import type { Database } from './store/port.js';
import { openSqliteDatabase } from './store/sqlite/database.js';

export * from './checkpoints/index.js';
export { DEFAULT_DATABASE_URL, dialectOf } from './connection-url.js';
export * from './credentials/index.js';
export { ensureDatabase } from './ensure-database.js';
export { migrate } from './migrations.js';
export { weakJwtSecretReason, weakKeyReason } from './secret-strength.js';
export { DEMO_ORGANIZATIONS, seedDemo } from './seed.js';
export { exitOnStartupFailure } from './startup-failure.js';
export { DatabaseUnavailableError, unavailableError } from './store/constraint-errors.js';
export type * from './store/port.js';
export { syncRunnerOf } from './store/runner-of.js';
export { SCHEDULED_BATCH_MAX, type ScheduledSyncInput } from './store/scheduled-syncs.js';
export { DEFAULT_LEASE_SECONDS } from './store/sync-lease.js';
export { withStoreOverrides } from './store/with-store-overrides.js';

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
export { loadIntegrationHealth } from './health/load-health.js';
export { readLedgerRequestTotals } from './metrics/ledger-requests.js';
export { type ProcessKeys, processKeysEnvShape, processKeysOf } from './process-keys.js';
export { countUnclassifiedErrors } from './rejections/unclassified.js';
export { recordTraceParent, takeTraceParent } from './tracing/trace-parents.js';
export { healthAnnouncementsFor } from './webhooks/health-announcements.js';
export {
  type HealthChangedData,
  syncEventPayload,
  type WebhookPayload,
} from './webhooks/payloads.js';
export { rotateWebhookSecrets } from './webhooks/rotate-secrets.js';
export { SecretBox, secretBoxFromEnv } from './webhooks/secret-box.js';
export {
  type OutboxEvent,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEvent,
  webhookStoreFor,
} from './webhooks/store.js';
export {
  assertWebhookUrl,
  parseAllowedHosts,
  WebhookUrlRefused,
} from './webhooks/url-guard.js';
