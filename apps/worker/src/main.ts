import { startTracing } from '@meander/accounting';
import { exitOnStartupFailure, loadCheckpointSigner, loadCredentialCipher, openDatabase } from '@meander/db';
import { readWorkerEnv } from './env.js';
import { createLogger } from './logger.js';
import { startWorker } from './worker.js';

// Missing or bad configuration stops the worker with one line naming the variable (no stack trace).
const { env, signer, credentials } = (() => {
  try {
    const env = readWorkerEnv();
    const { signer } = loadCheckpointSigner(env.auditSigningKey, { production: env.production });
    const { cipher: credentials } = loadCredentialCipher(env.credentialsKey, {
      production: env.production,
      previous: env.previousCredentialsKeys,
    });
    return { env, signer, credentials };
  } catch (error) {
    return exitOnStartupFailure('meander-worker', error);
  }
})();
const logger = createLogger(env.logLevel);
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then every sync and ledger request is a span.
const stopTracing = await startTracing('meander-worker');
if (stopTracing) logger.info('tracing: spans exported over OTLP');
const db = await openDatabase(env.databaseUrl, {
  migrate: env.migrateOnStart,
  credentials,
  poolSize: env.poolSize,
}).catch((error: unknown) => exitOnStartupFailure('meander-worker', error, 'DATABASE_URL'));
const worker = await startWorker({
  db,
  queue: env.queue,
  concurrency: env.concurrency,
  batchSize: env.batchSize,
  staleAfterSeconds: env.staleAfterSeconds,
  workerId: env.workerId,
  logger,
  adapterOptions: { limits: env.ledgerLimits },
  webhooks: {
    box: env.secretBox,
    allowedHosts: env.webhookAllowedHosts,
    healthScanMs: env.webhookHealthScanSeconds * 1000,
  },
  signer,
  checkpointIntervalMs: env.checkpointIntervalMs,
  credentials,
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    worker
      .stop()
      .then(() => db.close())
      .then(() => stopTracing?.())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      });
  });
}
