/**
 * The migration step of a deployment (`node dist/migrate.js`, compose's `migrate` service): apply
 * every pending migration to DATABASE_URL, then exit, so the API and the workers can start with
 * MIGRATE_ON_START=false and never race each other over the schema.
 */
import { exitOnStartupFailure, migrate } from '@meander/db';
import { readMigrateEnv } from './env.js';

try {
  const { databaseUrl } = readMigrateEnv();
  await migrate(databaseUrl).catch((error: unknown) =>
    exitOnStartupFailure('meander-migrate', error, 'DATABASE_URL'),
  );
  console.log(`migrated ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
} catch (error) {
  exitOnStartupFailure('meander-migrate', error);
}
