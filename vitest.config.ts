import { defineConfig } from 'vitest/config';

// The root config only lists the projects; each package owns its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests/*'],
  },
});
