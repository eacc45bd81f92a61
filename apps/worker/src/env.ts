import { hostname } from 'node:os';
import { DEFAULT_LEDGER_LIMITS, LedgerLimits } from '@meander/accounting';
import {
  DEFAULT_DATABASE_URL,
  dialectOf,
  type ProcessKeys,
  parseAllowedHosts,
  processKeysEnvShape,
  processKeysOf,
  type SecretBox,
  secretBoxFromEnv,
} from '@meander/db';
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `requests/windowSeconds/concurrent`, e.g. `6000/300/100`. */
const ledgerLimit = z
  .string()
  .regex(/^\d+\/\d+(\.\d+)?\/\d+$/, 'must be requests/windowSeconds/concurrent, e.g. 6000/300/100')
  .transform((text) => {
    const [requests, windowSeconds, concurrent] = text.split('/').map(Number) as [number, number, number];
    return { requests, windowSeconds, concurrent };
  })
  .refine((l) => l.requests >= 1 && l.windowSeconds > 0 && l.concurrent >= 1, 'every part must be positive');

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  SYNC_QUEUE: z.enum(['inline', 'pg-boss']).optional(),
  SYNC_STALE_AFTER_SECONDS: positiveInt(120),
  SYNC_BATCH_SIZE: positiveInt(100),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(4),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LEDGER_LIMIT_SHARE: positiveInt(1),
  LEDGER_LIMITS_DYNAMICS: ledgerLimit.optional(),
  LEDGER_LIMITS_XLEDGER: ledgerLimit.optional(),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('true'),
  WORKER_ID: z.string().min(1).optional(),
  NODE_ENV: z.string().default('development'),
  ...processKeysEnvShape,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBHOOK_ALLOWED_HOSTS: z.string().optional(),
  WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS: positiveInt(60),
});

/** The worker's settings, read and validated once (the only place that reads process.env). */
export interface WorkerEnv extends ProcessKeys {
  databaseUrl: string;
  queue: 'inline' | 'pg-boss';
  staleAfterSeconds: number;
  batchSize: number;
  concurrency: number;
  /** `DATABASE_POOL_SIZE`: this process's PostgreSQL connections (the syncs share them). */
  poolSize: number;
  /**
   * The vendors' limits this process keeps to, per caller identity: `LEDGER_LIMITS_<SYSTEM>` (default
   * the vendor's) divided by `LEDGER_LIMIT_SHARE` (how many processes share one app registration).
   */
  ledgerLimits: LedgerLimits;
  migrateOnStart: boolean;
  workerId: string;
  logLevel: string;
  /** Opens webhook secrets (key from CREDENTIALS_KEY; a development key outside production). */
  secretBox: SecretBox;
  /** `WEBHOOK_ALLOWED_HOSTS`: private or loopback hosts webhooks may reach. */
  webhookAllowedHosts: string[];
  /** `WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS`: how often health changes time alone made are announced. */
  webhookHealthScanSeconds: number;
  production: boolean;
}

export function readWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid worker environment: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  if (production) {
    const missing = (['CREDENTIALS_KEY', 'AUDIT_SIGNING_KEY'] as const).filter((k) => !e[k]);
    if (missing.length > 0) {
      throw new Error(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required when NODE_ENV=production; refusing to start with development keys`,
      );
    }
  }
  return {
    databaseUrl: e.DATABASE_URL,
    // pg-boss needs PostgreSQL; SQLite runs the in-process queue.
    queue: e.SYNC_QUEUE ?? (dialectOf(e.DATABASE_URL) === 'postgres' ? 'pg-boss' : 'inline'),
    staleAfterSeconds: e.SYNC_STALE_AFTER_SECONDS,
    batchSize: e.SYNC_BATCH_SIZE,
    concurrency: e.WORKER_CONCURRENCY,
    poolSize: e.DATABASE_POOL_SIZE,
    ledgerLimits: LedgerLimits.share(e.LEDGER_LIMIT_SHARE, {
      dynamics: e.LEDGER_LIMITS_DYNAMICS ?? DEFAULT_LEDGER_LIMITS.dynamics,
      xledger: e.LEDGER_LIMITS_XLEDGER ?? DEFAULT_LEDGER_LIMITS.xledger,
    }),
    migrateOnStart: e.MIGRATE_ON_START !== 'false',
    workerId: e.WORKER_ID ?? `${hostname()}:${process.pid}`,
    logLevel: e.LOG_LEVEL,
    secretBox: secretBoxFromEnv(e.CREDENTIALS_KEY, production, e.CREDENTIALS_PREVIOUS_KEYS),
    webhookAllowedHosts: parseAllowedHosts(e.WEBHOOK_ALLOWED_HOSTS),
    webhookHealthScanSeconds: e.WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS,
    production,
    ...processKeysOf(e),
  };
}
