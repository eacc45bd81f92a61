import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@meander/source" export condition).
  ssr: { resolve: { conditions: ['@meander/source', 'module', 'node', 'development|production'] } },
  test: {
    name: 'reliability',
    include: ['reliability/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
