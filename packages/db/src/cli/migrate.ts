import { DEFAULT_DATABASE_URL, migrate, unavailableError } from '../index.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const shown = url.replace(/:[^:@/]*@/, ':***@');
try {
  await migrate(url);
  console.log(`migrated ${shown}`);
} catch (error) {
  // One line that says what is wrong: never a driver stack trace.
  const unavailable = unavailableError(error);
  const message = unavailable
    ? `cannot reach the database at ${shown} (${unavailable.driverCode})`
    : (error as Error).message?.split('\n')[0] || String(error);
  console.error(`db:migrate: ${message}`);
  process.exitCode = 1;
}
