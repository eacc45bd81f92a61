/**
 * `@meander/domain` as its consumers get it: packed by npm AND by pnpm (each runs `prepack`, which
 * builds), linted by publint and Are-the-Types-Wrong on the tarball itself, then installed into a
 * throwaway ESM project that imports it at run time and typechecks it under `nodenext` and `bundler`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, run } from './run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DOMAIN = join(ROOT, 'packages/domain');
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const ATTW = join(import.meta.dirname, '../node_modules/.bin/attw');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'meander-domain-pack-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Pack with the given tool into its own folder and return the tarball's path. */
async function pack(tool: 'npm' | 'pnpm'): Promise<string> {
  const out = join(work, `${tool}-pack`);
  mkdirSync(out);
  // Remove the build first: the tarball must come out right from a clean clone (prepack builds).
  rmSync(join(DOMAIN, 'dist'), { recursive: true, force: true });
  await run(tool, ['pack', '--pack-destination', out], { cwd: DOMAIN, env: cleanEnv() });
  const listing = await run('sh', ['-c', 'ls *.tgz'], { cwd: out });
  return join(out, listing.stdout.trim());
}

async function tarList(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { cwd: work });
  return stdout.trim().split('\n');
}

async function tarManifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: work });
  return JSON.parse(stdout) as Record<string, unknown>;
}

const CONSUMER_TS = `import {
  createSyncLogCommandSchema,
  DomainError,
  isTerminalStatus,
  parseCommand,
  SYNC_STATUSES,
  type SyncStatus,
} from '@meander/domain';

const status: SyncStatus = SYNC_STATUSES[2];
export const terminal: boolean = isTerminalStatus(status);
export function refuse(input: unknown): string {
  try {
    parseCommand(createSyncLogCommandSchema, input);
    return 'accepted';
  } catch (error) {
    return error instanceof DomainError ? error.code : 'unknown';
  }
}
// @ts-expect-error a status the domain does not know must not typecheck
export const wrong: SyncStatus = 'done';
`;

const CONSUMER_MJS = `import { createSyncLogCommandSchema, DomainError, isTerminalStatus, parseCommand, SYNC_STATUSES } from '@meander/domain';
let code = 'accepted';
try { parseCommand(createSyncLogCommandSchema, { organizationId: 'nope' }); } catch (e) { code = e instanceof DomainError ? e.code : String(e); }
console.log(JSON.stringify({ statuses: SYNC_STATUSES, terminal: isTerminalStatus('success'), code }));
`;

const TSCONFIGS = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
} as const;

describe.each(['npm', 'pnpm'] as const)('@meander/domain packed with %s pack', (tool) => {
  let tarball: string;
  beforeAll(async () => {
    tarball = await pack(tool);
  });

  it('ships the build, the sources its maps point at, no tests, and a manifest that resolves', async () => {
    const files = await tarList(tarball);
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/dist/index.js.map');
    expect(files).toContain('package/src/index.ts');
    expect(files.filter((f) => f.endsWith('.test.ts') || f.includes('/test/'))).toEqual([]);

    const manifest = await tarManifest(tarball);
    expect(manifest.exports).toMatchObject({
      '.': { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' },
    });
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.types).toBe('./dist/index.d.ts');
    expect(manifest.peerDependencies).toEqual({ zod: '^4.0.0' });
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.engines).toMatchObject({ node: expect.stringMatching(/^>=20/) });
    // Every path the manifest points at is in the tarball.
    for (const target of ['./dist/index.js', './dist/index.d.ts', './src/index.ts'])
      expect(files).toContain(`package/${target.slice(2)}`);
  });

  it('every source map names a source file that the tarball ships', async () => {
    const files = new Set(await tarList(tarball));
    const maps = [...files].filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps.slice(0, 40)) {
      const { stdout } = await run('tar', ['-xzOf', tarball, map], { cwd: work });
      const { sources } = JSON.parse(stdout) as { sources: string[] };
      for (const source of sources) {
        const target = join('/', map, '..', source).slice(1);
        expect(files, `${map} → ${source}`).toContain(target);
      }
    }
  });

  it('passes publint (strict) on the tarball', async () => {
    const buffer = readFileSync(tarball);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    const { messages, pkg } = await publint({ pack: { tarball: data as ArrayBuffer }, strict: true });
    const text = messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`);
    expect(text).toEqual([]);
  });

  it('passes Are the Types Wrong (ESM-only profile) on the tarball', async () => {
    const result = await run(
      ATTW,
      [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
      {
        cwd: work,
        allowFailure: true,
        env: cleanEnv(),
      },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // The root entry resolves to ESM with types for Node's ESM resolver and bundlers; `main`/`types`
    // keep the old node10 resolver working too (reported, though the ESM-only profile does not fail on it).
    const root = result.stdout.split('"@meander/domain/package.json"')[0] ?? '';
    expect(root).toContain('node16 (from ESM): OK (ESM)');
    expect(root).toMatch(/bundler: OK/);
    expect(root).toMatch(/node10: \(ignored\) OK/);
  });

  it('installs into a fresh ESM project, runs, and typechecks under nodenext and bundler', async () => {
    const consumer = join(work, `${tool}-consumer`);
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        name: 'meander-domain-consumer',
        private: true,
        type: 'module',
        dependencies: { '@meander/domain': `file:${tarball}`, zod: '^4.0.0' },
      }),
    );
    writeFileSync(join(consumer, 'index.ts'), CONSUMER_TS);
    writeFileSync(join(consumer, 'run.mjs'), CONSUMER_MJS);
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock'], {
      cwd: consumer,
      env: cleanEnv(),
    });

    const ran = await run(process.execPath, ['run.mjs'], { cwd: consumer, env: cleanEnv() });
    expect(JSON.parse(ran.stdout)).toEqual({
      statuses: ['pending', 'in_progress', 'success', 'partial', 'failed'],
      terminal: true,
      code: 'VALIDATION_FAILED',
    });

    for (const [name, options] of Object.entries(TSCONFIGS)) {
      writeFileSync(
        join(consumer, `tsconfig.${name}.json`),
        JSON.stringify({
          compilerOptions: { ...options, target: 'es2022', strict: true, noEmit: true, types: [] },
          files: ['index.ts'],
        }),
      );
      const checked = await run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], {
        cwd: consumer,
        allowFailure: true,
        env: cleanEnv(),
      });
      expect(checked.stdout + checked.stderr, `tsc (${name})`).toBe('');
      expect(checked.code, `tsc (${name})`).toBe(0);
    }
  });
});
