import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL, parseAllowedHosts, type SecretBox, secretBoxFromEnv } from '@meander/db';
import { z } from 'zod';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_WRITE_RATE_LIMIT, type WriteRateLimit } from './rate-limit.js';

/**
 * The API connection's SQLite page cache: at 1M sync logs the history queries' index and table
 * pages stay cached (SQLite's 2 MiB default missed and made them grow with the table).
 */
export const DEFAULT_SQLITE_CACHE_MIB = 64;

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  AUTH_JWT_SECRET: z.string().min(16, 'AUTH_JWT_SECRET must be at least 16 characters').optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  SYNC_STALE_AFTER_SECONDS: z.coerce.number().int().positive().default(120),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CREDENTIALS_KEY: z.string().min(1).optional(),
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  /** SQLite only: the API connection's page cache (the worker keeps SQLite's 2 MiB default). */
  SQLITE_CACHE_MIB: z.coerce.number().int().min(1).max(4_096).default(DEFAULT_SQLITE_CACHE_MIB),
  TRPC_MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(DEFAULT_MAX_BATCH_SIZE),
  /** Mutations per principal per window; 0 turns the limit off. */
  API_WRITE_RATE_LIMIT: z.coerce.number().int().min(0).default(DEFAULT_WRITE_RATE_LIMIT.points),
  API_WRITE_RATE_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_WRITE_RATE_LIMIT.windowSeconds),
});

/** The API's settings, read and validated once (the only place that reads process.env). */
export interface ApiEnv {
  production: boolean;
  databaseUrl: string;
  port: number;
  host: string;
  jwtSecret: string;
  /** True when no secret was configured and a throwaway one was generated (never in production). */
  generatedSecret: boolean;
  migrateOnStart: boolean;
  staleAfterSeconds: number;
  logLevel: string;
  /** Seals webhook secrets (key from CREDENTIALS_KEY; a development key outside production). */
  secretBox: SecretBox;
  /** `WEBHOOK_ALLOWED_HOSTS`: private or loopback hosts webhooks may reach. */
  webhookAllowedHosts: string[];
  sqliteCacheMiB: number;
  maxBatchSize: number;
  writeRateLimit: WriteRateLimit | false;
}

export function readApiEnv(source: NodeJS.ProcessEnv = process.env): ApiEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `Invalid API environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production && !e.AUTH_JWT_SECRET) {
    throw new Error(
      'AUTH_JWT_SECRET is required when NODE_ENV=production; refusing to start with a development secret',
    );
  }
  return {
    production,
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    host: e.HOST,
    jwtSecret: e.AUTH_JWT_SECRET ?? `dev-${randomBytes(24).toString('hex')}`,
    generatedSecret: !e.AUTH_JWT_SECRET,
    migrateOnStart: e.MIGRATE_ON_START !== 'false',
    staleAfterSeconds: e.SYNC_STALE_AFTER_SECONDS,
    logLevel: e.LOG_LEVEL,
    secretBox: secretBoxFromEnv(e.CREDENTIALS_KEY, production),
    webhookAllowedHosts: parseAllowedHosts(e.WEBHOOK_ALLOWED_HOSTS),
    sqliteCacheMiB: e.SQLITE_CACHE_MIB,
    maxBatchSize: e.TRPC_MAX_BATCH_SIZE,
    writeRateLimit:
      e.API_WRITE_RATE_LIMIT === 0
        ? false
        : { points: e.API_WRITE_RATE_LIMIT, windowSeconds: e.API_WRITE_RATE_WINDOW_SECONDS },
  };
}

/** The migration step's settings: the database alone (no secret needed to migrate). */
export function readMigrateEnv(source: NodeJS.ProcessEnv = process.env): { databaseUrl: string } {
  const parsed = schema.pick({ DATABASE_URL: true }).safeParse(source);
  if (!parsed.success) {
    throw new Error(
      `Invalid migration environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return { databaseUrl: parsed.data.DATABASE_URL };
}
