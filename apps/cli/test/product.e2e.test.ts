import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from './support/run-cli.js';

const NORDLYS = '11111111-1111-4111-8111-111111111111';
const FJORDVIK = '22222222-2222-4222-8222-222222222222';

interface Product {
  process: ChildProcess;
  output: string;
  apiUrl: string;
  emulatorUrl: string;
  tokens: Record<string, string>;
}

/** Start `scripts/start.ts` on free ports and wait for its banner. */
async function startProduct(databaseUrl: string, cwd: string): Promise<Product> {
  // In a scratch folder, so the development keys `pnpm start` creates under ./data land there.
  const child = spawn(
    process.execPath,
    ['--conditions=@meander/source', '--import', import.meta.resolve('tsx'), join(ROOT, 'scripts/start.ts')],
    {
      cwd,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        PORT: '0',
        EMULATOR_PORT: '0',
        AUTH_JWT_SECRET: 'e2e-secret-0123456789abcdef',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const product: Product = { process: child, output: '', apiUrl: '', emulatorUrl: '', tokens: {} };
  child.stdout?.on('data', (d: Buffer) => {
    product.output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    product.output += d.toString();
  });
  // The banner (or an exit) is the event; the deadline only bounds a hang. Migrating, seeding and
  // starting emulators, API and worker under tsx takes seconds quiet and far more on a loaded
  // 2-core machine running another suite (the admin console's suite allows 180 s likewise).
  const deadline = Date.now() + 180_000;
  while (!product.output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`product did not start:\n${product.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  product.apiUrl = /^API: (\S+)$/m.exec(product.output)?.[1] ?? '';
  product.emulatorUrl = /^EMULATORS: (\S+)$/m.exec(product.output)?.[1] ?? '';
  for (const m of product.output.matchAll(/^TOKEN (.+): (\S+)$/gm))
    product.tokens[m[1] as string] = m[2] as string;
  return product;
}

describe.each(DIALECTS)('the product and the CLI end to end on %s', (dialect) => {
  let t: TestDatabase | null = null;
  let dir: string;
  let databaseUrl: string;
  let product: Product;
  let as: Record<string, string>;
  const today = new Date().toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 8)}01`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meander-cli-'));
    if (dialect === 'sqlite') databaseUrl = `file:${join(dir, 'meander.db')}`;
    else {
      t = await createTestDatabase('postgres', { migrate: false });
      await t.db.close();
      databaseUrl = t.url;
    }
    product = await startProduct(databaseUrl, dir);
    as = { MEANDER_API_URL: product.apiUrl, MEANDER_TOKEN: product.tokens.global_admin ?? '' };
    // The scheduled catch-up of last month runs at start; wait for both organizations to finish it.
    const until = Date.now() + 90_000;
    for (;;) {
      const status = await cli(['status', '--json'], as);
      const entries = JSON.parse(status.stdout || '[]') as { lastSync: { status: string } | null }[];
      if (entries.length === 2 && entries.every((e) => e.lastSync && e.lastSync.status === 'success')) break;
      if (Date.now() > until)
        throw new Error(`scheduled syncs did not finish: ${status.stdout}${status.stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 300_000);

  afterAll(async () => {
    if (product?.process.exitCode === null) product.process.kill('SIGKILL');
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  let partialId = '';

  it('export --dry-run previews Nordlys: documents and rejections, nothing posted, nothing recorded', async () => {
    const stats = async () =>
      (await (await fetch(`${product.emulatorUrl}/_control/xledger/stats`)).json()) as { writes: number };
    const history = async () =>
      (JSON.parse((await cli(['list', '--org', NORDLYS, '--json'], as)).stdout) as { items: unknown[] }).items
        .length;
    const writesBefore = (await stats()).writes;
    const logsBefore = await history();
    const run = await cli(
      ['export', '--org', NORDLYS, '--from', monthStart, '--to', today, '--dry-run', '--json'],
      as,
    );
    expect(run.code).toBe(0);
    const preview = JSON.parse(run.stdout) as {
      recordsTotal: number;
      documentCount: number;
      rejectedCount: number;
      documents: {
        recordIds: string[];
        lines: { account: string; recordId?: string; accountType?: string }[];
      }[];
    };
    expect(preview).toMatchObject({ recordsTotal: 40, documentCount: 40, rejectedCount: 0 });
    // One document per record: the record's G/L lines (the demo has one to three, with VAT and
    // dimensions), then the credit — the employee, or the balancing account 2910.
    for (const d of preview.documents) {
      const credit = d.lines.at(-1);
      expect(d.lines.length).toBeGreaterThanOrEqual(2);
      expect(credit?.accountType === 'employee' || credit?.account === '2910').toBe(true);
      expect(d.lines.slice(0, -1).every((l) => l.recordId === d.recordIds[0])).toBe(true);
    }
    const human = await cli(
      ['export', '--org', NORDLYS, '--from', monthStart, '--to', today, '--dry-run'],
      as,
    );
    expect(human.stdout).toMatch(/nothing was posted and no sync was recorded/);
    // A summary first; every line only with --details.
    expect(human.stdout).toMatch(/documents +40 would be posted, total NOK/);
    expect(human.stdout).toMatch(/rejections +0 predicted/);
    expect(human.stdout.split('\n').length).toBeLessThan(15);
    const details = await cli(
      ['export', '--org', NORDLYS, '--from', monthStart, '--to', today, '--dry-run', '--details'],
      as,
    );
    expect(details.stdout.split('\n').length).toBeGreaterThan(80);
    expect(details.stdout).toMatch(/account +type +amount +currency +VAT +VAT amount +dimensions +receipt/);
    expect(details.stdout).toMatch(/ G\/L /);
    expect((await stats()).writes).toBe(writesBefore);
    expect(await history()).toBe(logsBefore);
  });

  it('exports the current month for Nordlys: success, exit 0', async () => {
    const run = await cli(['export', '--org', NORDLYS, '--from', monthStart, '--to', today, '--json'], as);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      status: string;
      syncType: string;
      recordsSynced: number;
      recordsFailed: number;
    };
    expect(log).toMatchObject({ status: 'success', syncType: 'manual', recordsSynced: 40, recordsFailed: 0 });
  });

  it('exports Fjordvik with a closed account: partial, exit 3, explained by show', async () => {
    const faults = await fetch(`${product.emulatorUrl}/_control/dynamics/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ closedAccounts: ['7140'] }),
    });
    expect(faults.status).toBe(200);
    const run = await cli(['export', '--org', FJORDVIK, '--from', monthStart, '--to', today, '--json'], as);
    expect(run.code).toBe(3);
    const log = JSON.parse(run.stdout) as { id: string; status: string; recordsFailed: number };
    expect(log.status).toBe('partial');
    expect(log.recordsFailed).toBeGreaterThan(0);
    partialId = log.id;
    const shown = await cli(['show', partialId], as);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('RECORDS_REJECTED');
    expect(shown.stdout).toContain('Account 7140 is closed');
  });

  it('lists history as JSON and as CSV', async () => {
    const json = await cli(['list', '--org', FJORDVIK, '--json'], as);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { items: { id: string; status: string }[] };
    expect(page.items.map((i) => i.status)).toEqual(['partial', 'success']);
    const csv = await cli(['list', '--org', FJORDVIK, '--csv'], as);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]?.split(',')).toEqual(expect.arrayContaining(['id', 'status', 'recordsFailed']));
    expect(lines).toHaveLength(3);
    expect(lines[1]?.split(',')[0]).toBe(partialId);
  });

  it('plans and runs the re-sync of the rejected records', async () => {
    const plan = await cli(['resync', 'plan', '--org', FJORDVIK, '--json'], as);
    const entries = JSON.parse(plan.stdout) as { latestSyncLogId: string; failedRecordIds: string[] }[];
    expect(entries).toEqual([expect.objectContaining({ latestSyncLogId: partialId })]);
    await fetch(`${product.emulatorUrl}/_control/dynamics/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const run = await cli(['resync', 'run', partialId, '--json'], as);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      status: string;
      recordsSynced: number;
      payloadSummary: { parentSyncId: string };
    };
    expect(log.status).toBe('success');
    expect(log.recordsSynced).toBe(entries[0]?.failedRecordIds.length);
    expect(log.payloadSummary.parentSyncId).toBe(partialId);
  });

  it('reports status, verifies the chain and writes evidence', async () => {
    const status = await cli(['status'], as);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('Fjordvik Consulting');
    const verify = await cli(['verify', '--org', FJORDVIK, '--json'], as);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, checked: 3, breaks: [] });
    const out = join(dir, 'evidence.jsonl');
    const evidence = await cli(
      ['evidence', '--org', FJORDVIK, '--from', '2000-01-01', '--to', '2100-12-31', '--out', out],
      as,
    );
    expect(evidence.code).toBe(0);
    const rows = readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { chainSeq: number });
    expect(rows.map((r) => r.chainSeq)).toEqual([1, 2, 3]);
    expect(existsSync(`${out}.tombstones.jsonl`)).toBe(true);
    expect(JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8'))).toMatchObject({
      chainVerified: true,
      files: { rows: { count: 3 } },
      checkpoint: { organizationId: FJORDVIK, seq: 3, count: 3 },
    });
    // The auditor checks the live chain against the checkpoint they were handed.
    const against = await cli(
      ['verify', '--org', FJORDVIK, '--checkpoint', `${out}.manifest.json`, '--json'],
      as,
    );
    expect(against.code, against.stderr).toBe(0);
    expect(JSON.parse(against.stdout)).toMatchObject({ ok: true, checkpointSource: 'given' });
    const manifest = JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')) as {
      checkpoint: { count: number };
    };
    writeFileSync(join(dir, 'forged.json'), JSON.stringify({ ...manifest.checkpoint, count: 2 }));
    const forged = await cli(['verify', '--org', FJORDVIK, '--checkpoint', join(dir, 'forged.json')], as);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('signature does not verify');
    // `pnpm start` made the development signing key, readable by its owner only.
    expect(statSync(join(dir, 'data/audit-signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('leaves a sync recorded by an external runner to that runner, with the worker running', async () => {
    const call = async (path: string, input: unknown) => {
      const response = await fetch(`${product.apiUrl}/trpc/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${product.tokens.service}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as { result?: { data: { id: string; status: string } } };
      expect(response.status, JSON.stringify(body)).toBe(200);
      return body.result?.data as { id: string; status: string };
    };
    const recorded = await call('syncLogs.create', {
      organizationId: NORDLYS,
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2020-01-01T00:00:00.000Z',
      periodEnd: '2020-01-31T23:59:59.999Z',
      recordsTotal: 3,
    });
    // The event that proves the negative: an export recorded after this row is claimed and run to
    // its end, so the worker's claim cycle has run since this row exists (it takes pending rows
    // oldest first) — and left this one alone.
    const later = await cli(
      ['export', '--org', FJORDVIK, '--from', '2021-03-01', '--to', '2021-03-31', '--json'],
      as,
    );
    expect(later.code, later.stderr).toBe(0);
    expect((JSON.parse(later.stdout) as { status: string }).status).toBe('success');
    const shown = JSON.parse((await cli(['show', recorded.id, '--json'], as)).stdout) as { status: string };
    expect(shown.status).toBe('pending');
    expect((await call('syncLogs.start', { id: recorded.id })).status).toBe('in_progress');
    await call('syncLogs.reportProgress', { id: recorded.id, recordsSynced: 2, recordsFailed: 0 });
    const done = await call('syncLogs.complete', {
      id: recorded.id,
      recordsSynced: 3,
      recordsFailed: 0,
      externalReferenceId: '4242',
    });
    expect(done.status).toBe('success');
  });

  it('explains usage errors (exit 2), refusals (exit 1) and an unreachable API (exit 1, naming the URL)', async () => {
    const usage = await cli(['export', '--org', NORDLYS], as);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--period this-month\|last-month, or both --from and --to/);
    expect((await cli(['export', '--org', NORDLYS, '--from', '2026-02-30', '--to', today], as)).code).toBe(2);
    expect((await cli(['frobnicate'], as)).code).toBe(2);
    const disabled = await cli(
      ['export', '--org', '33333333-3333-4333-8333-333333333333', '--from', monthStart, '--to', today],
      as,
    );
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toContain('enable it with organizations.configureAccounting');
    const denied = await cli(['list', '--org', NORDLYS], {
      ...as,
      MEANDER_TOKEN: product.tokens['org_admin (Fjordvik Consulting)'] ?? '',
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Not allowed');
    const unreachable = await cli(['list', '--org', NORDLYS], {
      ...as,
      MEANDER_API_URL: 'http://127.0.0.1:9',
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('http://127.0.0.1:9');
    const json = await cli(['list', '--org', NORDLYS, '--json'], {
      ...as,
      MEANDER_API_URL: 'http://127.0.0.1:9',
    });
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { domainCode: 'API_UNREACHABLE' } });
  });

  it('doctor: every check of the demo connections passes (exit 0); a missing balancing account fails (exit 1)', async () => {
    for (const org of [NORDLYS, FJORDVIK]) {
      const run = await cli(['doctor', '--org', org], as);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('Every check passed.');
    }
    const json = await cli(['doctor', '--org', FJORDVIK, '--json'], as);
    const report = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'module',
      'credentials',
      'company',
      'journal',
      'balancing_account',
      'local_currency',
      // The demo maps VAT categories and dimensions and credits the employee: each mapping is checked.
      'vat_codes',
      'dimensions',
      'employees',
      'batch_no_series',
      'batch_posting_no_series',
      'post_with_job_queue',
      'allowed_posting_dates',
      'copy_vat_setup',
    ]);
    // Without a balancing account the Fjordvik check fails and names the setting.
    const configure = (connection: Record<string, string>) =>
      fetch(`${product.apiUrl}/trpc/organizations.configureAccounting`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${product.tokens.global_admin}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          organizationId: FJORDVIK,
          enabled: true,
          accountingSystem: 'dynamics',
          connection,
        }),
      });
    const demo = {
      baseUrl: `${product.emulatorUrl}/dynamics`,
      tokenUrl: `${product.emulatorUrl}/dynamics/oauth2/v2.0/token`,
      tenantId: 'demo-tenant',
      clientId: 'demo-client',
      clientSecret: 'demo-secret',
      companyId: 'c0a1e5d2-7b6f-4e1a-9c3d-2f8b9a0e4d51',
      journalName: 'MEANDER',
      localCurrency: 'NOK',
    };
    expect((await configure(demo)).status).toBe(200);
    const failing = await cli(['doctor', '--org', FJORDVIK], as);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/FAIL\s+balancing_account\s+.*balancingAccountNumber/);
    expect((await configure({ ...demo, balancingAccountNumber: '2990' })).status).toBe(200);
  });

  it('stops cleanly on SIGINT, leaving no sync in progress', async () => {
    const exited = new Promise<number | null>((r) => product.process.once('exit', (code) => r(code)));
    product.process.kill('SIGINT');
    expect(await exited).toBe(0);
    const db = await openDatabase(databaseUrl, { migrate: false });
    try {
      expect((await db.syncLogs.list({ status: 'in_progress' })).items).toEqual([]);
      expect((await db.syncLogs.list({ status: 'pending' })).items).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
