import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const TSX = ['--conditions=@meander/source', '--import', import.meta.resolve('tsx')];

/** Run an entry point from the sources with exactly `env` (plus PATH/HOME), and collect stderr. */
function run(entry: string, env: Record<string, string>, args: string[] = []) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((done) => {
    const child = spawn(process.execPath, [...TSX, join(ROOT, entry), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('close', (code) => done({ code, stderr, stdout }));
  });
}

const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/meander';
const PROD = { NODE_ENV: 'production', LOG_LEVEL: 'silent', MIGRATE_ON_START: 'false' };

describe('missing or bad configuration stops every process with one line naming the variable', () => {
  it.each([
    [
      'API: production without keys',
      'apps/api/src/main.ts',
      { ...PROD, DATABASE_URL: 'file::memory:' },
      [],
      /AUTH_JWT_SECRET/,
    ],
    ['API: a weak secret', 'apps/api/src/main.ts', { AUTH_JWT_SECRET: 'short' }, [], /AUTH_JWT_SECRET/],
    [
      'API: an unsupported database URL',
      'apps/api/src/main.ts',
      { DATABASE_URL: 'mysql://x/y' },
      [],
      /DATABASE_URL/,
    ],
    [
      'API: an unreachable database',
      'apps/api/src/main.ts',
      { DATABASE_URL: UNREACHABLE, MIGRATE_ON_START: 'true' },
      [],
      /DATABASE_URL/,
    ],
    [
      'API: a bad signing key',
      'apps/api/src/main.ts',
      { AUDIT_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' },
      [],
      /AUDIT_SIGNING_KEY/,
    ],
    [
      'worker: a bad credentials key',
      'apps/worker/src/main.ts',
      { CREDENTIALS_KEY: 'not-base64-32-bytes' },
      [],
      /CREDENTIALS_KEY/,
    ],
    [
      'worker: an unreachable database',
      'apps/worker/src/main.ts',
      { DATABASE_URL: UNREACHABLE },
      [],
      /DATABASE_URL/,
    ],
    [
      'migration step: an unreachable database',
      'apps/api/src/migrate.ts',
      { DATABASE_URL: UNREACHABLE },
      [],
      /DATABASE_URL/,
    ],
    [
      'emulators: a bad port',
      'packages/accounting/src/emulators/main.ts',
      { EMULATOR_PORT: 'eighty' },
      [],
      /EMULATOR_PORT/,
    ],
    [
      'bootstrap: no secret',
      'apps/api/src/bootstrap.ts',
      { DATABASE_URL: 'file::memory:' },
      ['--name', 'Acme AS'],
      /AUTH_JWT_SECRET/,
    ],
    [
      'bootstrap: a weak secret in production',
      'apps/api/src/bootstrap.ts',
      { NODE_ENV: 'production', DATABASE_URL: 'file::memory:', AUTH_JWT_SECRET: 'a'.repeat(40) },
      ['--name', 'Acme AS'],
      /^meander-bootstrap: .*AUTH_JWT_SECRET is one character repeated/,
    ],
    [
      'bootstrap: no database',
      'apps/api/src/bootstrap.ts',
      { AUTH_JWT_SECRET: 'x'.repeat(32) },
      ['--name', 'Acme AS'],
      /DATABASE_URL/,
    ],
    [
      'pnpm start: an unreachable PostgreSQL',
      'scripts/start.ts',
      { DATABASE_URL: UNREACHABLE, MEANDER_SKIP_CONSOLE_BUILD: 'true' },
      [],
      /^pnpm start: DATABASE_URL: .*meander/,
    ],
    [
      'CLI: a bad API URL',
      'apps/cli/src/main.ts',
      { MEANDER_API_URL: 'localhost:3000' },
      ['status'],
      /MEANDER_API_URL/,
    ],
  ] as const)('%s', async (_name, entry, env, args, variable) => {
    const res = await run(entry, { ...env }, [...args]);
    expect(res.code).not.toBe(0);
    expect(res.code).not.toBeNull();
    const lines = res.stderr.trim().split('\n');
    expect(lines, res.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(variable);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('bootstrap: the first organization and a short-lived global-admin token', () => {
  it('creates the organization once and prints a token the API accepts, alone on stdout', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { openDatabase } = await import('@meander/db');
    const { verifyToken } = await import('../src/auth/tokens.js');
    const dir = mkdtempSync(join(tmpdir(), 'meander-bootstrap-'));
    const secret = 'bootstrap-secret-0123456789abcdef';
    const env = { DATABASE_URL: `file:${join(dir, 'm.db')}`, AUTH_JWT_SECRET: secret };
    try {
      const first = await run('apps/api/src/bootstrap.ts', env, [
        '--name',
        'Acme AS',
        '--time-zone',
        'Europe/Oslo',
        '--ttl',
        '600',
      ]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/^created organization [0-9a-f-]{36} "Acme AS" \(Europe\/Oslo\)/);
      const token = first.stdout.trim();
      expect(token.split('.')).toHaveLength(3);
      const verdict = await verifyToken(token, secret);
      if (!verdict.ok) throw new Error(`the API refuses the token: ${verdict.failure}`);
      expect(verdict.payload).toMatchObject({ role: 'global_admin' });
      expect(verdict.payload.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
      const again = await run('apps/api/src/bootstrap.ts', env, ['--name', 'Acme AS']);
      expect(again.stderr).toMatch(/^found organization/);
      const db = await openDatabase(env.DATABASE_URL, { migrate: false });
      expect((await db.organizations.list()).map((o) => [o.name, o.timeZone])).toEqual([
        ['Acme AS', 'Europe/Oslo'],
      ]);
      await db.close();
      const refused = await run('apps/api/src/bootstrap.ts', env, [
        '--name',
        'Other AS',
        '--time-zone',
        'Mars/Olympus',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stdout).toBe('');
      // `pnpm --filter @meander/api bootstrap -- --name …` (the README's from-the-sources form) hands
      // the script a leading `--`; the same organization, spelt decomposed (NFD), is found, not doubled.
      const viaPnpm = await run('apps/api/src/bootstrap.ts', env, ['--', '--name', 'Acme AS']);
      expect(viaPnpm.code, viaPnpm.stderr).toBe(0);
      expect(viaPnpm.stderr).toMatch(/^found organization/);
      await run('apps/api/src/bootstrap.ts', env, ['--name', 'Café AS']);
      const decomposed = await run('apps/api/src/bootstrap.ts', env, ['--name', 'Cafe\u0301 AS']);
      expect(decomposed.stderr).toMatch(/^found organization [0-9a-f-]{36} "Café AS"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
