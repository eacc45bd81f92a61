import { startTracing } from '@meander/accounting';
import { exitOnStartupFailure, loadCheckpointSigner, loadCredentialCipher, openDatabase } from '@meander/db';
import { readApiEnv } from './env.js';
import { createLogger } from './logger.js';
import { startApiServer } from './server.js';

// Missing or bad configuration stops the API with one line naming the variable (no stack trace).
const env = (() => {
  try {
    return readApiEnv();
  } catch (error) {
    return exitOnStartupFailure('meander-api', error);
  }
})();
const logger = createLogger(env.logLevel);
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then every request is a span, exported over OTLP.
const stopTracing = await startTracing('meander-api');
if (stopTracing) logger.info('tracing: spans exported over OTLP');
if (env.generatedSecret)
  logger.warn('AUTH_JWT_SECRET is not set: using a random development secret (tokens die with this process)');
const keys = (() => {
  try {
    return {
      signing: loadCheckpointSigner(env.auditSigningKey, { production: env.production }),
      credentials: loadCredentialCipher(env.credentialsKey, {
        production: env.production,
        previous: env.previousCredentialsKeys,
      }).cipher,
    };
  } catch (error) {
    return exitOnStartupFailure('meander-api', error);
  }
})();
const { signer, source } = keys.signing;
const credentials = keys.credentials;
if (source !== 'configured')
  logger.warn(
    { keyId: signer.keyId, source },
    'AUDIT_SIGNING_KEY is not set: signing checkpoints with the development key under ./data',
  );
const db = await openDatabase(env.databaseUrl, {
  migrate: env.migrateOnStart,
  sqliteCacheMiB: env.sqliteCacheMiB,
  credentials,
}).catch((error: unknown) => exitOnStartupFailure('meander-api', error, 'DATABASE_URL'));
const api = await startApiServer({
  db,
  port: env.port,
  host: env.host,
  jwtSecret: env.jwtSecret,
  signer,
  checkpointIntervalMs: env.checkpointIntervalMs,
  credentials,
  tokenPolicy: env.tokenPolicy,
  logger,
  staleAfterSeconds: env.staleAfterSeconds,
  webhooks: { box: env.secretBox, allowedHosts: env.webhookAllowedHosts },
  maxBatchSize: env.maxBatchSize,
  writeRateLimit: env.writeRateLimit,
}).catch((error: unknown) => exitOnStartupFailure('meander-api', error, 'PORT'));
logger.info({ url: api.url, database: db.dialect }, 'API listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void api
      .close()
      .then(() => db.close())
      .then(() => stopTracing?.())
      .then(() => process.exit(0));
  });
}
