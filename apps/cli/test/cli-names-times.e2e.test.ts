import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken, startApiServer } from '@meander/api';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cli, runNode } from './support/run-cli.js';

const SECRET = 'cli-names-secret-0123456789abcdef';
// Oslo's November: 23:00 UTC on 31 October to the millisecond before 23:00 UTC on 30 November.
const NOVEMBER = { periodStart: '2026-10-31T23:00:00.000Z', periodEnd: '2026-11-30T22:59:59.999Z' };

describe('the CLI speaks names, local time and money (SQLite)', () => {
  let t: TestDatabase;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let env: Record<string, string>;
  let syncId: string;
  let config: string;

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    config = mkdtempSync(join(tmpdir(), 'meander-cfg-'));
    const oslo = await t.db.organizations.create({ name: 'Nordlys AS', timeZone: 'Europe/Oslo' });
    await t.db.organizations.create({ name: 'Fjordvik Consulting', timeZone: 'UTC' });
    await t.db.organizations.configureAccounting({
      organizationId: oslo.id,
      enabled: true,
      config: { accountingSystem: 'xledger', schedule: { cron: '0 2 * * *', timezone: 'Europe/Oslo' } },
    });
    const created = await t.db.syncLogs.create({
      organizationId: oslo.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 2,
      payloadSummary: { formatVersion: '1', recordCount: 2, totalAmountMinor: '27542040', currency: 'NOK' },
      ...NOVEMBER,
    });
    syncId = created.syncLog.id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: crypto.randomUUID(), role: 'global_admin' }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token, XDG_CONFIG_HOME: config, LANG: 'en_GB.UTF-8' };
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
    rmSync(config, { recursive: true, force: true });
  });

  it('show: the organization by name, "November 2026" with local instants and CET, money in units', async () => {
    const res = await cli(['show', syncId], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('organization   Nordlys AS');
    expect(res.stdout).toContain(
      'period         November 2026 (2026-11-01 00:00 CET → 2026-11-30 23:59 CET)',
    );
    expect(res.stdout).toContain('total NOK\u00a0275,420.40');
    expect(res.stdout).not.toContain('minor units');
    const norwegian = await cli(['show', syncId, '--locale', 'nb-NO'], env);
    expect(norwegian.stdout).toContain('total 275\u00a0420,40\u00a0kr');
  });

  it('list without --org covers every organization the token sees, by name', async () => {
    const res = await cli(['list'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Nordlys AS .*November 2026/);
    const json = await cli(['list', '--json'], env);
    expect((JSON.parse(json.stdout) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([syncId]);
  });

  it('status names the organization and shows its next run at 02:00 Oslo time', async () => {
    const res = await cli(['status'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Nordlys AS +xledger .* \d{4}-\d{2}-\d{2} 02:00 CES?T/);
  });

  it('input the API refuses exits 2 like input the CLI refuses', async () => {
    const res = await cli(['show', 'not-a-uuid'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('refused the input');
  });

  it('--version prints the version; a mistyped command is answered with "did you mean", exit 2', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const typo = await cli(['lsit'], env);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean list?');
  });

  it('login reads the token from stdin, keeps it 0600, never echoes it; later commands use it', async () => {
    const token = env.MEANDER_TOKEN ?? '';
    const login = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [BIN, '--api-url', api.url, 'login'], {
        env: {
          ...process.env,
          NO_COLOR: '1',
          XDG_CONFIG_HOME: config,
          MEANDER_API_URL: '',
          MEANDER_TOKEN: '',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(`${token}\n`);
    });
    expect(login.code, login.stderr).toBe(0);
    expect(`${login.stdout}${login.stderr}`).not.toContain(token);
    const file = join(config, 'meander-sync', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { MEANDER_API_URL: _url, MEANDER_TOKEN: _token, ...bare } = { ...process.env, ...env };
    const res = await runNode([BIN, 'list', '--json'], {
      ...bare,
      MEANDER_API_URL: '',
      MEANDER_TOKEN: '',
    } as Record<string, string>);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).items).toHaveLength(1);
  });
});

describe('the CLI names the token’s user and keeps re-sync plans and checkpoints in local time (SQLite)', () => {
  let t: TestDatabase;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let env: Record<string, string>;
  let orgId: string;
  let syncId: string;
  const userId = '0a0a0a0a-0000-4000-8000-000000000002';

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    const oslo = await t.db.organizations.create({ name: 'Nordlys AS', timeZone: 'Europe/Oslo' });
    orgId = oslo.id;
    await t.db.organizations.configureAccounting({
      organizationId: oslo.id,
      enabled: true,
      config: { accountingSystem: 'xledger', schedule: { cron: '0 2 * * *', timezone: 'Europe/Oslo' } },
    });
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: oslo.id,
      accountingSystem: 'xledger',
      syncType: 'manual',
      triggeredBy: userId,
      recordsTotal: 2,
      ...NOVEMBER,
    });
    syncId = syncLog.id;
    await t.db.syncLogs.start(syncId);
    await t.db.syncLogs.complete({
      id: syncId,
      recordsSynced: 1,
      recordsFailed: 1,
      errorDetails: {
        code: 'RECORDS_REJECTED',
        message: '1 of 2 records were rejected',
        category: 'validation',
        retryable: false,
        recordFailures: [{ recordId: crypto.randomUUID(), code: 'INVALID_VALUE', reason: 'closed' }],
      },
    });
    // Started after the sync was sealed: the API signs the head at start.
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: userId, role: 'global_admin', name: 'Mari Solberg' }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token, LANG: 'en_GB.UTF-8' };
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('show names the user who triggered a sync by the token’s display name, others by a short id', async () => {
    const own = await cli(['show', syncId], env);
    expect(own.code, own.stderr).toBe(0);
    expect(own.stdout).toContain('manual (by Mari Solberg)');
    expect(own.stdout).not.toContain(userId);
    const other = await signToken({ sub: crypto.randomUUID(), role: 'global_admin' }, SECRET);
    const res = await cli(['show', syncId], { ...env, MEANDER_TOKEN: other });
    expect(res.stdout).toContain('manual (by user 0a0a0a0a…0002)');
  });

  it('resync plan reads the period in the organization’s zone, not as UTC days', async () => {
    const res = await cli(['resync', 'plan', '--org', orgId], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('November 2026');
    expect(res.stdout).not.toContain('2026-10-31');
  });

  it('verify shows when the checkpoint was signed in the organization’s zone', async () => {
    const res = await cli(['verify', '--org', orgId], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/signed \d{4}-\d{2}-\d{2} \d{2}:\d{2} CES?T \(key/);
    expect(res.stdout).not.toMatch(/signed \d{4}-\d{2}-\d{2}T/);
  });
});
