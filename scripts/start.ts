/**
 * `npm start` / `pnpm start`: the whole product in one process on the embedded SQLite default
 * (or PostgreSQL with DATABASE_URL=postgres://…): migrate, seed the demo (idempotent), start the
 * accounting emulators, the API and the worker, and print how to try it. Ctrl-C stops everything
 * cleanly: the worker first (no sync is left in_progress), then the API, the emulators, the database.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_POSTING_SETTINGS } from '@meander/accounting';
import { readEmulatorEnv, startEmulators } from '@meander/accounting/emulators';
import { createLogger, readApiEnv, signToken, startApiServer } from '@meander/api';
import {
  DEMO_ORGANIZATIONS,
  DEV_AUDIT_SIGNING_KEY_PATH,
  DEV_CREDENTIALS_KEY_PATH,
  ensureDatabase,
  exitOnStartupFailure,
  loadCheckpointSigner,
  loadCredentialCipher,
  openDatabase,
  seedDemo,
} from '@meander/db';
import { readWorkerEnv, startWorker } from '@meander/worker';

/** A configuration problem: one line on stderr, exit 1, no stack trace. */
function refuse(error: unknown): never {
  console.error(`pnpm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

// The API's, the worker's and the emulators' own validated settings (the same schemas as their
// production entry points, so a weak AUTH_JWT_SECRET gets the API's own message), with this
// script's defaults for a laptop: loopback only, quieter logs.
function readSettings() {
  const local = { HOST: '127.0.0.1', LOG_LEVEL: 'warn', EMULATOR_HOST: '127.0.0.1' };
  const source = { ...local, ...process.env };
  try {
    const api = readApiEnv(source);
    // The checkpoint signing key: AUDIT_SIGNING_KEY, or a development key kept in ./data (mode
    // 0600), shared by the API and the worker below. The database only ever sees the public half.
    const signing = loadCheckpointSigner(api.auditSigningKey, { production: api.production });
    // Accounting credentials are sealed with CREDENTIALS_KEY, or a development key in ./data (0600).
    const sealing = loadCredentialCipher(api.credentialsKey, {
      production: api.production,
      previous: api.previousCredentialsKeys,
    });
    return {
      api,
      worker: readWorkerEnv(source),
      emulators: readEmulatorEnv(source),
      signer: signing.signer,
      signerSource: signing.source,
      credentials: sealing.cipher,
      credentialsSource: sealing.source,
    };
  } catch (error) {
    refuse(error);
  }
}
const settings = readSettings();
const { signer, signerSource, credentials, credentialsSource } = settings;
const databaseUrl = settings.api.databaseUrl;
const jwtSecret = settings.api.jwtSecret;
const tokenPolicy = settings.api.tokenPolicy;
// Demo tokens live a day, or less when AUTH_TOKEN_MAX_LIFETIME_SECONDS says so.
const demoLifetime = Math.min(24 * 3600, tokenPolicy.maxLifetimeSeconds);
const issued = { issuer: tokenPolicy.issuer, audience: tokenPolicy.audience };
const queue = settings.worker.queue;
const logger = createLogger(settings.api.logLevel);

/** Newest modification time under `dir` (0 when it does not exist). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// The admin console is served from apps/admin/dist: build it when it is missing or older than its sources.
const adminDir = join(import.meta.dirname, '../apps/admin');
const consoleDir = join(adminDir, 'dist');
const builtAt = existsSync(join(consoleDir, 'index.html'))
  ? statSync(join(consoleDir, 'index.html')).mtimeMs
  : 0;
const sourcesAt = Math.max(
  newestMtime(join(adminDir, 'src')),
  statSync(join(adminDir, 'index.html')).mtimeMs,
);
if (process.env.MEANDER_SKIP_CONSOLE_BUILD !== 'true' && builtAt < sourcesAt) {
  console.log('› building the admin console (apps/admin)…');
  execFileSync(
    process.execPath,
    [join(adminDir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: adminDir,
      // React's production build whatever NODE_ENV this process has (Vite follows NODE_ENV).
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

// A fresh PostgreSQL server has no `meander` database yet: create it, or say in one line why not.
const db = await (async () => {
  try {
    if ((await ensureDatabase(databaseUrl)) === 'created') {
      console.log(`› created the PostgreSQL database ${new URL(databaseUrl).pathname.slice(1)}`);
    }
    return await openDatabase(databaseUrl, { migrate: settings.api.migrateOnStart, credentials });
  } catch (error) {
    return exitOnStartupFailure('pnpm start', error, 'DATABASE_URL');
  }
})();
const emulators = await startEmulators({
  port: settings.emulators.port,
  host: settings.emulators.host,
  ...(settings.emulators.faults ? { faults: settings.emulators.faults } : {}),
});
const seeded = await seedDemo(db, { emulatorUrl: emulators.url, postingSettings: DEMO_POSTING_SETTINGS });
// Webhook secrets: sealed by the API, opened by the worker, under the same key.
const webhooks = { box: settings.api.secretBox, allowedHosts: settings.api.webhookAllowedHosts };
const worker = await startWorker({
  db,
  webhooks,
  queue,
  logger,
  signer,
  credentials,
  concurrency: settings.worker.concurrency,
  batchSize: settings.worker.batchSize,
  staleAfterSeconds: settings.worker.staleAfterSeconds,
});

const nordlys = DEMO_ORGANIZATIONS[0].id;
const fjordvik = DEMO_ORGANIZATIONS[1].id;
const tokens = {
  orgAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000001', role: 'org_admin', org: nordlys, name: 'Ingrid Lund' },
    jwtSecret,
    demoLifetime,
    issued,
  ),
  fjordvikAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000004', role: 'org_admin', org: fjordvik, name: 'Jonas Vik' },
    jwtSecret,
    demoLifetime,
    issued,
  ),
  globalAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000002', role: 'global_admin', name: 'Mari Solberg' },
    jwtSecret,
    demoLifetime,
    issued,
  ),
  auditService: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000003', role: 'global_admin', via: 'audit-log-service' },
    jwtSecret,
    demoLifetime,
    issued,
  ),
  service: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000005', role: 'service' },
    jwtSecret,
    demoLifetime,
    issued,
  ),
};
// The sign-in page offers these with one click; the API refuses to hand them out when NODE_ENV=production.
const demoTokens = [
  { label: 'Org admin · Nordlys AS', role: 'org_admin', organizationId: nordlys, token: tokens.orgAdmin },
  {
    label: 'Org admin · Fjordvik Consulting',
    role: 'org_admin',
    organizationId: fjordvik,
    token: tokens.fjordvikAdmin,
  },
  { label: 'Global admin', role: 'global_admin', token: tokens.globalAdmin },
  { label: 'Service', role: 'service', token: tokens.service },
];
const api = await startApiServer({
  db,
  webhooks,
  port: settings.api.port,
  host: settings.api.host,
  jwtSecret,
  signer,
  credentials,
  tokenPolicy,
  logger,
  staleAfterSeconds: settings.api.staleAfterSeconds,
  console: { dir: consoleDir, ...(settings.api.production ? {} : { demoTokens }) },
});

console.log(`
Meander Accounting Sync Log is running (${db.dialect}, queue ${queue}).

API: ${api.url}
CONSOLE: ${api.url}/  (admin console in the browser; demo roles sign in with one click)
EMULATORS: ${emulators.url}
DATABASE: ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}
${settings.api.generatedSecret ? `AUTH_JWT_SECRET (generated for this run): ${jwtSecret}\n` : ''}CHECKPOINT KEY: ${signerSource === 'configured' ? 'AUDIT_SIGNING_KEY' : DEV_AUDIT_SIGNING_KEY_PATH} (key id ${signer.keyId})
CREDENTIALS KEY: ${credentialsSource === 'configured' ? 'CREDENTIALS_KEY' : DEV_CREDENTIALS_KEY_PATH} (key id ${credentials.keyId})
seeded: ${seeded.records} new expense records; scheduled syncs of last month run now for Nordlys AS (xledger) and Fjordvik Consulting (dynamics)

Demo tokens (${Math.round(demoLifetime / 360) / 10} h):
TOKEN org_admin (Nordlys AS): ${tokens.orgAdmin}
TOKEN org_admin (Fjordvik Consulting): ${tokens.fjordvikAdmin}
TOKEN global_admin: ${tokens.globalAdmin}
TOKEN global_admin via audit-log-service: ${tokens.auditService}
TOKEN service: ${tokens.service}

Try (in another terminal):
  export MEANDER_API_URL=${api.url} MEANDER_TOKEN=${tokens.globalAdmin}
  pnpm -s cli export --org ${nordlys} --period this-month          # succeeds
  curl -X PUT ${emulators.url}/_control/dynamics/faults -H 'content-type: application/json' -d '{"closedAccounts":["7140"]}'
  pnpm -s cli export --org ${fjordvik} --period this-month         # partial (exit 3): account 7140 is closed
  curl -X PUT ${emulators.url}/_control/dynamics/faults -H 'content-type: application/json' -d '{}'   # clear the fault
  pnpm -s cli resync plan --org ${fjordvik}   ·   pnpm -s cli resync run <syncLogId>   # now succeeds
  pnpm -s cli list   ·   pnpm -s cli show <syncLogId>   ·   pnpm -s cli status
Ctrl-C stops everything.
`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(
    `\n${signal}: stopping the worker (in-flight syncs finish their batch or are failed), then the API…`,
  );
  const force = setTimeout(() => process.exit(1), 30_000);
  force.unref();
  try {
    await worker.stop();
    await api.close();
    await emulators.close();
    await db.close();
    console.log('stopped cleanly');
    process.exit(0);
  } catch (error) {
    console.error('shutdown failed:', error);
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
