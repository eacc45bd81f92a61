import { randomBytes } from 'node:crypto';
import {
  DEFAULT_DATABASE_URL,
  type ProcessKeys,
  parseAllowedHosts,
  parseCredentialsKey,
  processKeysEnvShape,
  processKeysOf,
  type SecretBox,
  secretBoxFromEnv,
  weakJwtSecretReason,
  weakKeyReason,
} from '@meander/db';
import { z } from 'zod';
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_WRITE_RATE_LIMIT, type WriteRateLimit } from './rate-limit.js';

/**
 * The API connection's SQLite page cache: at 1M sync logs the history queries' index and table
 * pages stay cached (SQLite's 2 MiB default missed and made them grow with the table).
 */
export const DEFAULT_SQLITE_CACHE_MIB = 64;

import type { TokenPolicy } from './auth/tokens.js';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  AUTH_JWT_SECRET: z.string().min(16, 'AUTH_JWT_SECRET must be at least 16 characters').optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  SYNC_STALE_AFTER_SECONDS: z.coerce.number().int().positive().default(120),
  ...processKeysEnvShape,
  AUTH_TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(86_400),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
export interface ApiEnv extends ProcessKeys {
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
  /** What a bearer token must satisfy beyond its signature. */
  tokenPolicy: TokenPolicy;
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
  if (production) {
    const missing = (['AUTH_JWT_SECRET', 'CREDENTIALS_KEY', 'AUDIT_SIGNING_KEY'] as const).filter(
      (k) => !e[k],
    );
    if (missing.length > 0) {
      throw new Error(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required when NODE_ENV=production; refusing to start with development keys`,
      );
    }
    const weak = weakSecretFindings(e.AUTH_JWT_SECRET ?? '', e.CREDENTIALS_KEY ?? '');
    if (weak.length > 0) throw new Error(`Weak secrets refused when NODE_ENV=production: ${weak.join('; ')}`);
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
    secretBox: secretBoxFromEnv(e.CREDENTIALS_KEY, production, e.CREDENTIALS_PREVIOUS_KEYS),
    webhookAllowedHosts: parseAllowedHosts(e.WEBHOOK_ALLOWED_HOSTS),
    sqliteCacheMiB: e.SQLITE_CACHE_MIB,
    maxBatchSize: e.TRPC_MAX_BATCH_SIZE,
    writeRateLimit:
      e.API_WRITE_RATE_LIMIT === 0
        ? false
        : { points: e.API_WRITE_RATE_LIMIT, windowSeconds: e.API_WRITE_RATE_WINDOW_SECONDS },
    ...processKeysOf(e),
    tokenPolicy: {
      maxLifetimeSeconds: e.AUTH_TOKEN_MAX_LIFETIME_SECONDS,
      ...(e.AUTH_JWT_ISSUER ? { issuer: e.AUTH_JWT_ISSUER } : {}),
      ...(e.AUTH_JWT_AUDIENCE ? { audience: e.AUTH_JWT_AUDIENCE } : {}),
    },
  };
}

/** Each production secret that is too weak, as `VARIABLE reason (how to make one)`. */
function weakSecretFindings(jwtSecret: string, credentialsKey: string): string[] {
  const findings: string[] = [];
  const jwt = weakJwtSecretReason(jwtSecret);
  if (jwt) findings.push(`AUTH_JWT_SECRET ${jwt} (make one: openssl rand -base64 48)`);
  let key: Buffer | null = null;
  try {
    key = parseCredentialsKey(credentialsKey);
  } catch (error) {
    findings.push(error instanceof Error ? error.message : String(error));
  }
  const weakKey = key ? weakKeyReason(key) : null;
  if (weakKey) findings.push(`CREDENTIALS_KEY ${weakKey} (make one: openssl rand -base64 32)`);
  return findings;
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

/** What `bootstrap` needs: the database and the token secret, both required (no development defaults). */
export interface BootstrapEnv {
  databaseUrl: string;
  jwtSecret: string;
  tokenPolicy: TokenPolicy;
}

/** The bootstrap's settings; a missing or weak AUTH_JWT_SECRET or a missing DATABASE_URL is refused by name. */
export function readBootstrapEnv(source: NodeJS.ProcessEnv = process.env): BootstrapEnv {
  const required = schema
    .pick({ AUTH_TOKEN_MAX_LIFETIME_SECONDS: true, AUTH_JWT_ISSUER: true, AUTH_JWT_AUDIENCE: true })
    .extend({
      DATABASE_URL: z.string({ error: 'DATABASE_URL is required (postgres://… or file:<path>)' }).min(1),
      AUTH_JWT_SECRET: z
        .string({ error: 'AUTH_JWT_SECRET is required: the secret the API verifies tokens with' })
        .min(16, 'AUTH_JWT_SECRET must be at least 16 characters'),
    });
  const parsed = required.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${issue?.path.join('.')}: ${issue?.message}`);
  }
  const e = parsed.data;
  // The token it prints must be one the production API would accept: the same strength rule.
  const weak = source.NODE_ENV === 'production' ? weakJwtSecretReason(e.AUTH_JWT_SECRET) : null;
  if (weak) {
    throw new Error(
      `Weak secrets refused when NODE_ENV=production: AUTH_JWT_SECRET ${weak} (make one: openssl rand -base64 48)`,
    );
  }
  return {
    databaseUrl: e.DATABASE_URL,
    jwtSecret: e.AUTH_JWT_SECRET,
    tokenPolicy: {
      maxLifetimeSeconds: e.AUTH_TOKEN_MAX_LIFETIME_SECONDS,
      ...(e.AUTH_JWT_ISSUER ? { issuer: e.AUTH_JWT_ISSUER } : {}),
      ...(e.AUTH_JWT_AUDIENCE ? { audience: e.AUTH_JWT_AUDIENCE } : {}),
    },
  };
}
