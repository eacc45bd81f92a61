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
 * - Files read at run time beside a bundled module are copied next to the bundle, where the bundled
 *   code looks for them: `@meander/db`'s SQL migrations (`dist/migrations`) and the Xledger
 *   emulator's GraphQL schema (`dist/schema.graphql`).
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type UserConfig } from 'tsdown';

interface Manifest {
  dependencies?: Record<string, string>;
}

const ROOT = join(import.meta.dirname, '..');
/** A module that reads a file at run time relative to itself, and where that file goes in `dist`. */
const RUNTIME_ASSETS = [
  { module: 'packages/db/src/migrations.ts', from: 'packages/db/migrations', to: 'migrations' },
  {
    module: 'packages/accounting/src/systems/xledger/emulator/schema.ts',
    from: 'packages/accounting/src/systems/xledger/emulator/schema.graphql',
    to: 'schema.graphql',
  },
].map((asset) => ({ ...asset, module: join(ROOT, asset.module), from: join(ROOT, asset.from) }));
const escapeRegExp = (name: string) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A built folder of another package the app's build carries (the API carries the admin console). */
export interface CarriedBuild {
  /** Relative to the repository root. */
  from: string;
  /** Relative to the app's `dist`. */
  to: string;
  /** What to run when it is missing. */
  buildWith: string;
}

export function appBuild(
  dir: string,
  entry: Record<string, string>,
  carried: CarriedBuild[] = [],
): UserConfig {
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
        name: 'meander:runtime-assets',
        writeBundle(_options, bundle) {
          const bundled = new Set(
            Object.values(bundle).flatMap((output) => (output.type === 'chunk' ? output.moduleIds : [])),
          );
          for (const asset of RUNTIME_ASSETS)
            if (bundled.has(asset.module))
              cpSync(asset.from, join(dir, 'dist', asset.to), { recursive: true });
          for (const build of carried) {
            const from = join(ROOT, build.from);
            // turbo builds it first (the app's turbo.json); a build without it must not ship silently.
            if (!existsSync(join(from, 'index.html')))
              throw new Error(`${build.from} is not built: run ${build.buildWith} first (pnpm build does)`);
            cpSync(from, join(dir, 'dist', build.to), { recursive: true });
          }
        },
      },
    ],
  });
}
