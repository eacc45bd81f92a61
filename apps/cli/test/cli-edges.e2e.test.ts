import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { csvField, renderCsv } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, runNode } from './support/run-cli.js';

const SECRET = 'cli-edges-secret-0123456789abcdef';
const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

const ORG = '11111111-1111-4111-8111-111111111111';

describe('CLI usage edges (no API needed)', () => {
  it.each([
    ['export', ['export', '--org', ORG, '--from', '2026-10-31', '--to', '2026-10-01']],
    [
      'evidence',
      ['evidence', '--org', ORG, '--from', '2026-10-31', '--to', '2026-10-01', '--out', '/tmp/x.jsonl'],
    ],
  ])('%s: --from after --to is a usage error (exit 2), as JSON with --json', async (_name, args) => {
    const plain = await cli(args, { MEANDER_API_URL: 'http://127.0.0.1:9' });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('is after --to');
    const json = await cli([...args, '--json'], { MEANDER_API_URL: 'http://127.0.0.1:9' });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { message: expect.stringContaining('is after --to') },
    });
  });

  it('a commander usage error with --json prints a JSON error on stdout, exit 2', async () => {
    const res = await cli(['export', '--json']);
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stdout)).toMatchObject({
      error: { domainCode: 'USAGE', exitCode: 2, message: expect.stringContaining('required option') },
    });
  });

  it('CSV cells that would run as formulas are neutralised', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(['+1', '-2+3', '@SUM(A1)', '\t=1', ' =1', '|x'].map(csvField)).toEqual([
      "'+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\t=1",
      "' =1",
      "'|x",
    ]);
    expect(csvField(-250)).toBe('-250');
    expect(renderCsv(['a'], [{ a: 'ok' }, { a: '=1+1' }])).toBe("a\r\nok\r\n'=1+1\r\n");
  });

  it('pnpm db:migrate with an unsupported or unreachable URL prints one line and exits 1', async () => {
    const migrate = join(ROOT, 'packages/db/src/cli/migrate.ts');
    for (const url of ['mysql://db.example/x', 'postgres://postgres@127.0.0.1:1/nowhere']) {
      const res = await runNode(
        ['--conditions=@meander/source', '--import', import.meta.resolve('tsx'), migrate],
        { DATABASE_URL: url },
      );
      expect(res.code, url).toBe(1);
      expect(res.stderr.trim().split('\n'), url).toHaveLength(1);
      expect(res.stderr).toMatch(/^db:migrate: /);
    }
  });
});

describe.each(DIALECTS)('meander-sync evidence edges on %s', (dialect) => {
  let t: TestDatabase;
  let api: Awaited<ReturnType<typeof startApiServer>>;
  let dir: string;
  let orgId: string;
  let env: Record<string, string>;
  let otherEnv: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    dir = mkdtempSync(join(tmpdir(), 'meander-evidence-'));
    orgId = (await t.db.organizations.create({ name: 'Evidence AS' })).id;
    const other = (await t.db.organizations.create({ name: 'Elsewhere AS' })).id;
    await t.db.organizations.configureAccounting({
      organizationId: orgId,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const own = await signToken({ sub: crypto.randomUUID(), role: 'org_admin', org: orgId }, SECRET);
    const foreign = await signToken({ sub: crypto.randomUUID(), role: 'org_admin', org: other }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: own };
    otherEnv = { MEANDER_API_URL: api.url, MEANDER_TOKEN: foreign };
    // Sealed straight through the store: the first evidence export below signs the head.
    for (let i = 0; i < 2; i += 1) {
      const created = await fetch(`${api.url}/trpc/syncLogs.create`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await signToken({ sub: crypto.randomUUID(), role: 'service' }, SECRET)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          organizationId: orgId,
          accountingSystem: 'xledger',
          syncType: 'api',
          recordsTotal: 1,
          ...PERIOD,
        }),
      });
      const id = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
      await t.db.syncLogs.start(id);
      await t.db.syncLogs.complete({ id, recordsSynced: 1, recordsFailed: 0 });
    }
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (out: string) => [
    'evidence',
    '--org',
    orgId,
    '--from',
    '2000-01-01',
    '--to',
    '2100-12-31',
    '--out',
    out,
  ];

  it('names a missing output folder (exit 2) and creates nothing', async () => {
    const out = join(dir, 'missing/evidence.jsonl');
    const res = await cli(args(out), env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(join(dir, 'missing'));
    expect(existsSync(out)).toBe(false);
  });

  it('checks access before creating any file', async () => {
    const out = join(dir, 'denied.jsonl');
    const res = await cli(args(out), otherEnv);
    expect(res.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.manifest.json`)).toBe(false);
  });

  it('on a broken chain writes the evidence but exits 1 saying so', async () => {
    const ok = await cli(args(join(dir, 'ok.jsonl')), env);
    expect(ok.code, ok.stderr).toBe(0);
    // The database owner removes the newest sealed row, triggers off.
    const [newest] = (await t.db.syncLogs.list({ organizationId: orgId, limit: 1 })).items;
    if (t.db.raw.dialect === 'postgres') {
      await t.db.raw.sql.unsafe('ALTER TABLE accounting_sync_logs DISABLE TRIGGER USER');
      await t.db.raw.sql.unsafe('DELETE FROM accounting_sync_logs WHERE id = $1', [newest?.id as string]);
      await t.db.raw.sql.unsafe('ALTER TABLE accounting_sync_logs ENABLE TRIGGER USER');
    } else {
      const c = t.db.raw.connection;
      const triggers = c
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounting_sync_logs'",
        )
        .all() as { name: string; sql: string }[];
      for (const tr of triggers) c.exec(`DROP TRIGGER ${tr.name}`);
      c.prepare('DELETE FROM accounting_sync_logs WHERE id = ?').run(newest?.id);
      for (const tr of triggers) c.exec(tr.sql);
    }
    const out = join(dir, 'broken.jsonl');
    const res = await cli(args(out), env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('does NOT verify');
    expect(res.stderr).toContain('truncated');
    expect(existsSync(`${out}.manifest.json`)).toBe(true);
    const json = await cli([...args(join(dir, 'broken2.jsonl')), '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { domainCode: 'CHAIN_BROKEN' } });
  });
});
