import react from '@vitejs/plugin-react';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // Components import the domain's pure rules from their sources, as the build does.
  resolve: { conditions: ['@meander/source', ...defaultClientConditions] },
  // The browser suite starts the product in-process: workspace packages resolve to their sources.
  ssr: { resolve: { conditions: ['@meander/source', 'module', 'node', 'development|production'] } },
  test: {
    name: 'admin',
    projects: [
      {
        extends: true,
        test: {
          name: 'admin-components',
          include: ['test/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['./test/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'admin-browser',
          include: ['e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-result.json' },
  },
});
