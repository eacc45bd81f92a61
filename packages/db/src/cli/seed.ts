import { DEFAULT_DATABASE_URL, openDatabase, seedDemo } from '../index.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const emulatorUrl = process.env.EMULATOR_URL ?? `http://127.0.0.1:${process.env.EMULATOR_PORT ?? '4010'}`;
const db = await openDatabase(url);
try {
  const { records } = await seedDemo(db, { emulatorUrl });
  console.log(`seeded demo organizations (${records} new expense records)`);
} finally {
  await db.close();
}
