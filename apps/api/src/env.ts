import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL, parseAllowedHosts, type SecretBox, secretBoxFromEnv } from '@meander/db';
import { z } from 'zod';

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
