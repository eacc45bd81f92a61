import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// `pnpm --filter @meander/admin dev` runs against an API that is already running (pnpm start).
const api = process.env.MEANDER_API_URL ?? 'http://127.0.0.1:3000';

// Builds follow NODE_ENV (a test runner's NODE_ENV=test would give React's development build, with a
// JSX runtime to match): the build script, start.ts and the bench set NODE_ENV=production.
export default defineConfig({
  plugins: [react()],
  // Workspace packages from their sources (the domain's pure rules: the one CSV writer and its guard).
  resolve: { conditions: ['@meander/source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/trpc': { target: api, changeOrigin: true },
      '/demo-tokens': { target: api, changeOrigin: true },
      '/healthz': { target: api, changeOrigin: true },
      '/sync-logs': { target: api, changeOrigin: true },
    },
  },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 800 },
});
