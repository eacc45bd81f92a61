import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@meander/source" export condition).
  // Not Vite's `module` condition: Vitest hands the conditions to Node too, and OpenTelemetry's
  // `module` build (which prom-client requires) imports without file extensions, which Node refuses.
  ssr: { resolve: { conditions: ['@meander/source', 'node', 'development|production'] } },
  test: {
    name: 'accounting',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Every adapter test talks HTTP to an emulator on a random port.
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The JSON report feeds the one "N passed, N failed" line scripts/test-summary.ts prints for CI.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
