import { appBuild } from '../../scripts/tsdown-app.js';

export default appBuild(
  import.meta.dirname,
  { main: 'src/main.ts', migrate: 'src/migrate.ts', bootstrap: 'src/bootstrap.ts' },
  // The admin console, served at `/` by the deployed API (turbo builds it first: apps/api/turbo.json).
  [{ from: 'apps/admin/dist', to: 'console', buildWith: 'pnpm --filter @meander/admin build' }],
);
