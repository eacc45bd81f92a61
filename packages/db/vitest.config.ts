import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@meander/source" export condition).
  ssr: { resolve: { conditions: ['@meander/source', 'module', 'node', 'development|production'] } },
  test: {
    name: 'db',
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
