import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: [
    './src/schema/pg/tables.ts',
    './src/schema/pg/webhooks.ts',
    './src/schema/pg/unverified-postings.ts',
  ],
  out: './migrations/pg',
});
