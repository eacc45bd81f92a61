export { dispatchDueSyncs } from './dispatcher.js';
export { readWorkerEnv } from './env.js';
export { silentLogger } from './logger.js';
export { runSync } from './runner.js';
export { startWorker } from './worker.js';
