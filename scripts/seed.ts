/**
 * `pnpm db:seed`: the demo organizations and records (idempotent) in DATABASE_URL, pointed at the
 * emulators on EMULATOR_URL, with the demo's posting settings. Beside `start.ts` because it needs
 * both the database and the accounting package's demo settings.
 */
import { DEMO_POSTING_SETTINGS } from '@meander/accounting';
import { DEFAULT_DATABASE_URL, loadCredentialCipher, openDatabase, seedDemo } from '@meander/db';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const emulatorUrl = process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.EMULATOR_PORT ?? '4010'}`;
// The demo connections are credentials like any other: sealed with CREDENTIALS_KEY (or the dev key).
const { cipher: credentials } = loadCredentialCipher(process.env.CREDENTIALS_KEY, {
  production: process.env.NODE_ENV === 'production',
  previous: process.env.CREDENTIALS_PREVIOUS_KEYS,
});
const db = await openDatabase(url, { credentials });
try {
  const { records } = await seedDemo(db, { emulatorUrl, postingSettings: DEMO_POSTING_SETTINGS });
  console.log(`seeded demo organizations (${records} new expense records)`);
} finally {
  await db.close();
}
