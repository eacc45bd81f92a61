/**
 * The migration step of a deployment (`node dist/migrate.js`, compose's `migrate` service): apply
 * every pending migration to DATABASE_URL, then exit, so the API and the workers can start with
 * MIGRATE_ON_START=false and never race each other over the schema.
 */
import { migrate } from '@meander/db';
import { readMigrateEnv } from './env.js';

const { databaseUrl } = readMigrateEnv();
await migrate(databaseUrl);
console.log(`migrated ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`);
