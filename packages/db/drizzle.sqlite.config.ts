import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: [
    './src/schema/sqlite/tables.ts',
    './src/schema/sqlite/webhooks.ts',
    './src/schema/sqlite/unverified-postings.ts',
  ],
  out: './migrations/sqlite',
});
