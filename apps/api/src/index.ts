export { type AppDeps, createApp } from './app.js';
export { principalFromHeader } from './auth/principal.js';
export {
  DEFAULT_TOKEN_POLICY,
  signToken,
  type TokenClaims,
  type TokenPolicy,
  type TokenVerdict,
  verifyToken,
} from './auth/tokens.js';
export { type ConsoleOptions, DEFAULT_CONSOLE_DIR, type DemoToken, mountConsole } from './console.js';
export { type ApiEnv, DEFAULT_SQLITE_CACHE_MIB, readApiEnv } from './env.js';
export { createLogger, type Logger, silentLogger } from './logger.js';
export {
  DEFAULT_MAX_BATCH_SIZE,
  DEFAULT_WRITE_RATE_LIMIT,
  type WriteRateLimit,
} from './rate-limit.js';
export { REJECTION_CSV_COLUMNS, rejectionsCsv } from './rejections/csv.js';
export type { RejectedItem } from './rejections/rows.js';
export { HASHING_RECIPE } from './routers/audit.js';
export { type AppRouter, appRouter } from './routers/index.js';
export type { SyncProgressEvent } from './routers/syncs.js';
export { type RunningApi, startApiServer } from './server.js';
export { type Context, createCallerContext, type InnerContext } from './trpc/context.js';
export { createCallerFactory } from './trpc/init.js';
