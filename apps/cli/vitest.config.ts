import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "@meander/source" export condition).
  // Not Vite's `module` condition: Vitest hands the conditions to Node too, and OpenTelemetry's
  // `module` build (which prom-client requires) imports without file extensions, which Node refuses.
  ssr: { resolve: { conditions: ['@meander/source', 'node', 'development|production'] } },
  test: {
    // One module graph for the run, not one per file: importing the store, the adapters and the
    // API again for every file was a third of CI's test CPU (the store's suite: 119 s → 65 s).
    // Files share no state but modules; each makes its own database, emulators and servers.
    isolate: false,
    name: 'cli',
    globalSetup: ['./test/support/build-cli.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
