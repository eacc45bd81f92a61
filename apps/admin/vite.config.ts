import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm --filter @meander/admin dev` runs against an API that is already running (pnpm start).
const api = process.env.MEANDER_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig(({ command }) => ({
  plugins: [react()],
  // A build is always React's production build, whatever NODE_ENV the caller runs with (a test
  // runner's NODE_ENV=test would otherwise ship the development build, 50 % larger and slower).
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  server: {
    proxy: {
      '/trpc': { target: api, changeOrigin: true },
      '/demo-tokens': { target: api, changeOrigin: true },
      '/healthz': { target: api, changeOrigin: true },
    },
  },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 800 },
}));
