import { DEFAULT_DATABASE_URL, loadCredentialCipher, openDatabase, seedDemo } from '../index.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const emulatorUrl = process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.EMULATOR_PORT ?? '4010'}`;
// The demo connections are credentials like any other: sealed with CREDENTIALS_KEY (or the dev key).
const { cipher: credentials } = loadCredentialCipher(process.env.CREDENTIALS_KEY, {
  production: process.env.NODE_ENV === 'production',
  previous: process.env.CREDENTIALS_PREVIOUS_KEYS,
});
const db = await openDatabase(url, { credentials });
try {
  const { records } = await seedDemo(db, { emulatorUrl });
  console.log(`seeded demo organizations (${records} new expense records)`);
} finally {
  await db.close();
}
