export { dispatchDueSyncs } from './dispatcher.js';
export { readWorkerEnv, type WorkerEnv } from './env.js';
export { createLogger, type Logger, silentLogger } from './logger.js';
export type { SyncQueue } from './queue/port.js';
export { reapStaleSyncs } from './reaper.js';
export { type RunnerDeps, type RunOutcome, runSync } from './runner.js';
export { firedBetween, previousMonthPeriod } from './schedule-period.js';
export { type RunningWorker, startWorker, type WorkerOptions } from './worker.js';
