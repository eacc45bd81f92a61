/**
 * The one build recipe for everything that runs in production (apps/api, apps/worker, apps/cli and
 * the accounting emulators). Each package's `tsdown.config.ts` names only its entry points; the rest
 * is read from its package.json, so a dependency someone adds builds without touching this file:
 *
 * - `@meander/*` workspace packages are bundled from their TypeScript sources. Apps list them in
 *   `devDependencies`, so a production install (`pnpm deploy --prod`) carries none of them.
 * - Everything the package lists in `dependencies` stays external and is installed next to the build.
 *   A native module (better-sqlite3) or one that reads its own files at run time must therefore be
 *   listed in the app's `dependencies`, even when only a workspace package imports it; a pure
 *   JavaScript dependency that is not listed is bundled.
 * - When the bundle contains `@meander/db`'s migrator, its SQL migrations are copied to
 *   `dist/migrations`, where the bundled migrator looks for them.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';

interface Manifest {
  dependencies?: Record<string, string>;
}

const ROOT = join(import.meta.dirname, '..');
const MIGRATOR = join(ROOT, 'packages/db/src/migrations.ts');
const escapeRegExp = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function appBuild(dir: string, entry: Record<string, string>): UserConfig {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const runtime = Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@meander/'));
  return defineConfig({
    cwd: dir,
    entry,
    outDir: 'dist',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // `type: module` packages: plain `.js` output, so `node dist/main.js` is the start command.
    fixedExtension: false,
    clean: true,
    dts: false,
    sourcemap: true,
    // The sources of workspace packages, exactly as the tests and tsx see them.
    inputOptions: { resolve: { conditionNames: ['@meander/source', 'node', 'import', 'default'] } },
    external: runtime.map((name) => new RegExp(`^${escapeRegExp(name)}(?:/.*)?$`)),
    noExternal: [/^@meander\//],
    plugins: [
      {
        name: 'meander:db-migrations',
        writeBundle(_options, bundle) {
          const bundlesMigrator = Object.values(bundle).some(
            (output) => output.type === 'chunk' && output.moduleIds.includes(MIGRATOR),
          );
          if (bundlesMigrator)
            cpSync(join(ROOT, 'packages/db/migrations'), join(dir, 'dist/migrations'), { recursive: true });
        },
      },
    ],
  });
}
