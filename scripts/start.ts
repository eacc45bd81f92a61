/**
 * `npm start` / `pnpm start`: the whole product in one process on the embedded SQLite default
 * (or PostgreSQL with DATABASE_URL=postgres://…): migrate, seed the demo (idempotent), start the
 * accounting emulators, the API and the worker, and print how to try it. Ctrl-C stops everything
 * cleanly: the worker first (no sync is left in_progress), then the API, the emulators, the database.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulators } from '@meander/accounting/emulators';
import { createLogger, signToken, startApiServer } from '@meander/api';
import { DEFAULT_DATABASE_URL, DEMO_ORGANIZATIONS, dialectOf, openDatabase, seedDemo } from '@meander/db';
import { startWorker } from '@meander/worker';

const env = process.env;
const databaseUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const port = Number(env.PORT ?? 3000);
const emulatorPort = Number(env.EMULATOR_PORT ?? 4010);
const host = env.HOST ?? '127.0.0.1';
if (env.NODE_ENV === 'production' && !env.AUTH_JWT_SECRET) {
  console.error('AUTH_JWT_SECRET is required when NODE_ENV=production.');
  process.exit(1);
}
const jwtSecret = env.AUTH_JWT_SECRET ?? `dev-${randomBytes(24).toString('hex')}`;
const queue =
  (env.SYNC_QUEUE as 'inline' | 'pg-boss' | undefined) ??
  (dialectOf(databaseUrl) === 'postgres' ? 'pg-boss' : 'inline');
const logger = createLogger(env.LOG_LEVEL ?? 'warn');

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
if (env.MEANDER_SKIP_CONSOLE_BUILD !== 'true' && builtAt < sourcesAt) {
  console.log('› building the admin console (apps/admin)…');
  execFileSync(
    process.execPath,
    [join(adminDir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    {
      cwd: adminDir,
      // React's production build whatever NODE_ENV this process has (Vite follows NODE_ENV).
      env: { ...env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

const db = await openDatabase(databaseUrl, { migrate: env.MIGRATE_ON_START !== 'false' });
const emulators = await startEmulators({ port: emulatorPort, host: '127.0.0.1' });
const seeded = await seedDemo(db, { emulatorUrl: emulators.url });
const worker = await startWorker({
  db,
  queue,
  logger,
  concurrency: Number(env.WORKER_CONCURRENCY ?? 4),
  batchSize: Number(env.SYNC_BATCH_SIZE ?? 100),
  staleAfterSeconds: Number(env.SYNC_STALE_AFTER_SECONDS ?? 120),
});

const day = 24 * 3600;
const nordlys = DEMO_ORGANIZATIONS[0].id;
const fjordvik = DEMO_ORGANIZATIONS[1].id;
const tokens = {
  orgAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000001', role: 'org_admin', org: nordlys },
    jwtSecret,
    day,
  ),
  fjordvikAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000004', role: 'org_admin', org: fjordvik },
    jwtSecret,
    day,
  ),
  globalAdmin: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000002', role: 'global_admin' },
    jwtSecret,
    day,
  ),
  auditService: await signToken(
    { sub: '0a0a0a0a-0000-4000-8000-000000000003', role: 'global_admin', via: 'audit-log-service' },
    jwtSecret,
    day,
  ),
  service: await signToken({ sub: '0a0a0a0a-0000-4000-8000-000000000005', role: 'service' }, jwtSecret, day),
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
  port,
  host,
  jwtSecret,
  logger,
  staleAfterSeconds: Number(env.SYNC_STALE_AFTER_SECONDS ?? 120),
  console: { dir: consoleDir, ...(env.NODE_ENV === 'production' ? {} : { demoTokens }) },
});
const today = new Date().toISOString().slice(0, 10);
const monthStart = `${today.slice(0, 8)}01`;

console.log(`
Meander Accounting Sync Log is running (${db.dialect}, queue ${queue}).

API: ${api.url}
CONSOLE: ${api.url}/  (admin console in the browser; demo roles sign in with one click)
EMULATORS: ${emulators.url}
DATABASE: ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}
${env.AUTH_JWT_SECRET ? '' : `AUTH_JWT_SECRET (generated for this run): ${jwtSecret}\n`}seeded: ${seeded.records} new expense records; scheduled syncs of last month run now for Nordlys AS (xledger) and Fjordvik Consulting (dynamics)

Demo tokens (24 h):
TOKEN org_admin (Nordlys AS): ${tokens.orgAdmin}
TOKEN org_admin (Fjordvik Consulting): ${tokens.fjordvikAdmin}
TOKEN global_admin: ${tokens.globalAdmin}
TOKEN global_admin via audit-log-service: ${tokens.auditService}
TOKEN service: ${tokens.service}

Try (in another terminal):
  export MEANDER_API_URL=${api.url} MEANDER_TOKEN=${tokens.globalAdmin}
  pnpm -s cli export --org ${nordlys} --from ${monthStart} --to ${today}          # succeeds
  curl -X PUT ${emulators.url}/_control/dynamics/faults -H 'content-type: application/json' -d '{"closedAccounts":["7140"]}'
  pnpm -s cli export --org ${fjordvik} --from ${monthStart} --to ${today}         # partial (exit 3): account 7140 is closed
  pnpm -s cli list --org ${fjordvik}
  pnpm -s cli show <syncLogId>   ·   pnpm -s cli resync plan --org ${fjordvik}   ·   pnpm -s cli status
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
