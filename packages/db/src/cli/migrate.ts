import { DEFAULT_DATABASE_URL, migrate } from '../index.js';

const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
await migrate(url);
console.log(`migrated ${url.replace(/:[^:@/]*@/, ':***@')}`);
