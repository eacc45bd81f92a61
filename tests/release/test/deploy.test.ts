/**
 * The production deployment, end to end: `pnpm deploy --prod` folders of the API, the worker and the
 * CLI (no dev dependencies, no workspace sources), started with plain Node exactly as compose.yaml's
 * services start them — its `command`, `working_dir` and `environment`, with only the database URL
 * and the port replaced — against SQLite and a fresh PostgreSQL database: the migration step, the API,
 * two workers; /healthz, a scheduled sync run by the workers, a CLI export through the API, and a
 * clean SIGTERM shutdown of every process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_POSTING_SETTINGS } from '@meander/accounting';
import { signToken } from '@meander/api';
import { DEMO_ORGANIZATIONS, seedDemo } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cleanEnv, run } from './run.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const APPS = ['api', 'worker', 'cli'] as const;
const SECRET = randomBytes(48).toString('base64');
// The keys production refuses to start without, made for this run as an operator would.
const CREDENTIALS_KEY = randomBytes(32).toString('base64');
const AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519')
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const NORDLYS = DEMO_ORGANIZATIONS[0].id;

interface ComposeService {
  command?: string[];
  working_dir?: string;
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
}
const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** `${NAME:?message}` / `${NAME}` from compose's interpolation, filled from `values`. */
function interpolate(value: string, values: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}/g, (_, name: string) => {
    const filled = values[name];
    if (filled === undefined) throw new Error(`compose.yaml needs ${name}; the deploy test does not set it`);
    return filled;
  });
}

let work: string;
const deployed: Record<string, string> = {};
let emulators: ChildProcess | undefined;
let emulatorUrl = '';

interface Started {
  name: string;
  child: ChildProcess;
  output: () => string;
}

/** Start a process and wait until its output matches `ready`. */
async function start(
  name: string,
  command: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<Started & { match: RegExpMatchArray }> {
  const [file, ...args] = command;
  const child = spawn(file === 'node' ? process.execPath : (file as string), args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = ready.exec(output);
    if (match) return { name, child, output: () => output, match };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then the exit code (null if it had to be killed). */
function stop(process: Started, graceMs = 30_000): Promise<number | null> {
  const { child } = process;
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => {
    const force = setTimeout(() => {
      child.kill('SIGKILL');
      done(null);
    }, graceMs);
    child.once('exit', (code) => {
      clearTimeout(force);
      done(code);
    });
    child.kill('SIGTERM');
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'meander-deploy-'));
  // Cached by turbo when `turbo run test` has already built them (tests/release/turbo.json).
  await run(
    'pnpm',
    [
      'exec',
      'turbo',
      'run',
      'build',
      '--filter=@meander/api',
      '--filter=@meander/worker',
      '--filter=@meander/cli',
      '--filter=@meander/accounting',
      '--output-logs=errors-only',
    ],
    { cwd: ROOT, env: cleanEnv({ TURBO_TELEMETRY_DISABLED: '1' }) },
  );
  // pnpm 10's deploy needs `inject-workspace-packages`; set for this command only, so the workspace
  // keeps linking its packages. (`--legacy` also deploys, but links every workspace package the app
  // lists, devDependencies included, with their native dependencies: 92 MB instead of 28 MB for the CLI.)
  for (const app of APPS) {
    deployed[app] = join(work, app);
    await run(
      'pnpm',
      [
        '--filter',
        `@meander/${app}`,
        'deploy',
        '--prod',
        '--config.inject-workspace-packages=true',
        deployed[app],
      ],
      { cwd: ROOT, env: cleanEnv() },
    );
  }
  const started = await start(
    'emulators',
    ['node', 'dist/emulators.js'],
    join(ROOT, 'packages/accounting'),
    cleanEnv({ EMULATOR_PORT: '0' }),
    /listening on (http:\/\/\S+)/,
  );
  emulators = started.child;
  emulatorUrl = started.match[1] ?? '';
});

afterAll(() => {
  emulators?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pnpm deploy --prod folders', () => {
  it.each(APPS)('%s: its declared production dependencies, its build, nothing else', (app) => {
    const dir = deployed[app] as string;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const installed = readdirSync(join(dir, 'node_modules'))
      .filter((name) => !name.startsWith('.'))
      .flatMap((name) =>
        name.startsWith('@')
          ? readdirSync(join(dir, 'node_modules', name)).map((n) => `${name}/${n}`)
          : [name],
      )
      .sort();
    expect(installed).toEqual(Object.keys(manifest.dependencies ?? {}).sort());
    expect(installed.filter((name) => /^(tsx|typescript|vitest|tsdown|@meander\/.*)$/.test(name))).toEqual(
      [],
    );
    expect(existsSync(join(dir, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(dir, 'src'))).toBe(false);
  });

  it('the CLI bin runs with plain Node from the deployed folder', async () => {
    const help = await run(
      process.execPath,
      [join(deployed.cli as string, 'bin/meander-sync.js'), '--help'],
      {
        cwd: work,
        env: cleanEnv(),
      },
    );
    expect(help.stdout).toMatch(/^Usage: meander-sync/);
    expect(help.stdout).toContain('export');
  });
});

describe.each(DIALECTS)('compose services from the deployed folders on %s', (dialect) => {
  let t: TestDatabase;
  const processes: Started[] = [];
  let apiUrl = '';
  let token = '';

  /** compose.yaml's service, run from the deployed folder its working_dir names. */
  function service(name: string): {
    command: string[];
    cwd: string;
    env: NodeJS.ProcessEnv;
    replicas: number;
  } {
    const svc = compose.services[name];
    if (!svc?.command || !svc.working_dir)
      throw new Error(`compose.yaml: service ${name} lacks command/working_dir`);
    const app = svc.working_dir.replace(/^\/app\//, '');
    const values = { AUTH_JWT_SECRET: SECRET, CREDENTIALS_KEY, AUDIT_SIGNING_KEY };
    const environment = Object.fromEntries(
      Object.entries(svc.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), values)]),
    );
    return {
      command: svc.command,
      cwd: deployed[app] as string,
      // Only what differs outside a container: the database and the port.
      env: cleanEnv({ ...environment, DATABASE_URL: t.url, PORT: '0', HOST: '127.0.0.1' }),
      replicas: svc.deploy?.replicas ?? 1,
    };
  }

  beforeAll(async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const migrate = service('migrate');
    const migrated = await run(
      migrate.command[0] === 'node' ? process.execPath : (migrate.command[0] as string),
      migrate.command.slice(1),
      { cwd: migrate.cwd, env: migrate.env },
    );
    expect(migrated.stdout).toMatch(/^migrated /);
    // Migrated and empty: the schema exists, nothing is seeded yet.
    expect(await t.db.organizations.get(NORDLYS)).toBeNull();
    // The demo's organizations (their schedules are read when a worker starts) and its ledgers.
    await seedDemo(t.db, { emulatorUrl, postingSettings: DEMO_POSTING_SETTINGS });

    const api = service('api');
    const started = await start(
      'api',
      api.command,
      api.cwd,
      api.env,
      /"url":"(http:\/\/[^"]+)".*API listening/,
    );
    processes.push(started);
    apiUrl = started.match[1] ?? '';
    const worker = service('worker');
    for (let i = 0; i < worker.replicas; i++)
      processes.push(
        await start(`worker-${i + 1}`, worker.command, worker.cwd, worker.env, /worker started/),
      );
    token = await signToken(
      { sub: '0a0a0a0a-0000-4000-8000-000000000002', role: 'global_admin' },
      SECRET,
      3600,
    );
  });

  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await t?.drop();
  });

  const cli = (args: string[]) =>
    run(process.execPath, [join(deployed.cli as string, 'bin/meander-sync.js'), ...args], {
      cwd: work,
      env: cleanEnv({ MEANDER_API_URL: apiUrl, MEANDER_TOKEN: token, NO_COLOR: '1' }),
      allowFailure: true,
    });

  it('runs the migration step, then the API and two workers; /healthz answers', async () => {
    expect(processes.map((p) => p.name)).toEqual(['api', 'worker-1', 'worker-2']);
    const health = await fetch(`${apiUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('the deployed API serves the built admin console at /', async () => {
    const page = await fetch(`${apiUrl}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toContain('The admin console is not built');
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${apiUrl}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('bootstrap from the deployed API folder creates an organization and a token the CLI can use', async () => {
    const api = service('api');
    const boot = await run(
      process.execPath,
      ['dist/bootstrap.js', '--name', 'Bootstrapped AS', '--time-zone', 'Europe/Oslo'],
      {
        cwd: api.cwd,
        env: cleanEnv({ DATABASE_URL: t.url, AUTH_JWT_SECRET: SECRET }),
      },
    );
    const fresh = boot.stdout.trim();
    const listed = await run(
      process.execPath,
      [join(deployed.cli as string, 'bin/meander-sync.js'), 'list', '--json'],
      {
        cwd: work,
        env: cleanEnv({ MEANDER_API_URL: apiUrl, MEANDER_TOKEN: fresh, NO_COLOR: '1' }),
      },
    );
    expect(listed.code, listed.stderr).toBe(0);
    const organizations = await fetch(`${apiUrl}/trpc/organizations.list`, {
      headers: { authorization: `Bearer ${fresh}` },
    });
    const names = ((await organizations.json()) as { result: { data: { name: string; timeZone: string }[] } })
      .result.data;
    expect(names).toContainEqual(
      expect.objectContaining({ name: 'Bootstrapped AS', timeZone: 'Europe/Oslo' }),
    );
  });

  it('the workers run the scheduled syncs and the CLI exports through the API', async () => {
    // Each worker schedules last month's catch-up for both enabled organizations at start; one runs it.
    const until = Date.now() + 90_000;
    for (;;) {
      const status = await cli(['status', '--json']);
      const entries = JSON.parse(status.stdout || '[]') as { lastSync: { status: string } | null }[];
      if (entries.length === 2 && entries.every((e) => e.lastSync?.status === 'success')) break;
      if (Date.now() > until)
        throw new Error(`scheduled syncs did not finish: ${status.stdout}${status.stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const today = new Date().toISOString().slice(0, 10);
    const exported = await cli([
      'export',
      '--org',
      NORDLYS,
      '--from',
      `${today.slice(0, 8)}01`,
      '--to',
      today,
      '--json',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const log = JSON.parse(exported.stdout) as {
      status: string;
      syncType: string;
      recordsTotal: number;
      recordsSynced: number;
    };
    expect(log).toMatchObject({ status: 'success', syncType: 'manual', recordsSynced: log.recordsTotal });
    expect(log.recordsTotal).toBeGreaterThan(0);
  });

  it('every process stops cleanly on SIGTERM', async () => {
    const codes = await Promise.all(processes.map((p) => stop(p)));
    const logs = processes.map((p) => `${p.name}:\n${p.output().slice(-2000)}`).join('\n');
    expect(codes, logs).toEqual(processes.map(() => 0));
  });
});
