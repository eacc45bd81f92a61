import { randomBytes } from 'node:crypto';
import { DEFAULT_DATABASE_URL } from '@meander/db';
import { z } from 'zod';
import type { TokenPolicy } from './auth/tokens.js';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  AUTH_JWT_SECRET: z.string().min(16, 'AUTH_JWT_SECRET must be at least 16 characters').optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  SYNC_STALE_AFTER_SECONDS: z.coerce.number().int().positive().default(120),
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  AUTH_TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(86_400),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  CREDENTIALS_KEY: z.string().min(1).optional(),
  CREDENTIALS_PREVIOUS_KEYS: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  /** `AUDIT_SIGNING_KEY` as given (PEM or path); unset means the development key file under ./data. */
  auditSigningKey: string | undefined;
  /** What a bearer token must satisfy beyond its signature. */
  tokenPolicy: TokenPolicy;
  /** `CREDENTIALS_KEY` (base64, 32 bytes) and the previous keys still accepted while rotating. */
  credentialsKey: string | undefined;
  previousCredentialsKeys: string | undefined;
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
    auditSigningKey: e.AUDIT_SIGNING_KEY,
    tokenPolicy: {
      maxLifetimeSeconds: e.AUTH_TOKEN_MAX_LIFETIME_SECONDS,
      ...(e.AUTH_JWT_ISSUER ? { issuer: e.AUTH_JWT_ISSUER } : {}),
      ...(e.AUTH_JWT_AUDIENCE ? { audience: e.AUTH_JWT_AUDIENCE } : {}),
    },
    credentialsKey: e.CREDENTIALS_KEY,
    previousCredentialsKeys: e.CREDENTIALS_PREVIOUS_KEYS,
  };
}
