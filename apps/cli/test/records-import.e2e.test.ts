import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-records-import-secret-0123456789';

const aRecord = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  version: 1,
  kind: 'expense_claim',
  employeeNumber: 'E004',
  bookingDate: '2026-10-09',
  currency: 'NOK',
  lines: [{ account: '7140', amountMinor: 9_900, vatCode: 'ZERO', vatAmountMinor: 0 }],
  ...overrides,
});

describe.each(DIALECTS)('meander-sync records import on %s', (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let orgId: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token };
    dir = mkdtempSync(join(tmpdir(), 'meander-import-'));
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('stores the good lines of a JSONL file, reports each refused one by line, exits 1', async () => {
    const good = [aRecord(), aRecord()];
    const badAmount = aRecord({
      lines: [{ account: '7140', amountMinor: 10.5, vatCode: 'ZERO', vatAmountMinor: 0 }],
    });
    const path = file(
      'claims.jsonl',
      [JSON.stringify(good[0]), '', JSON.stringify(badAmount), '{not json', JSON.stringify(good[1])].join(
        '\n',
      ),
    );
    const r = await cli(['records', 'import', '--org', orgId, path, '--json'], env);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      upserted: number;
      refused: { line: number; id: string | null; issues: { rule: string }[] }[];
    };
    expect(out.upserted).toBe(2);
    expect(out.refused.map((x) => [x.line, x.id, x.issues[0]?.rule])).toEqual([
      [3, badAmount.id, 'LINE_AMOUNT_POSITIVE_INTEGER'],
      [4, null, 'RECORD_SHAPE'],
    ]);
    for (const g of good) expect((await t.db.expenseRecords.get(orgId, g.id))?.employeeNumber).toBe('E004');
    expect(await t.db.expenseRecords.get(orgId, badAmount.id)).toBeNull();
    // Importing the same file again: everything already there is unchanged.
    const again = await cli(['records', 'import', '--org', orgId, path, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ upserted: 0, unchanged: 2 });
  });

  it('reads CSV with one row per line, grouped by record id; a record refused by the server keeps its line', async () => {
    const two = randomUUID();
    const existing = aRecord();
    await t.db.expenseRecords.upsert(orgId, [existing]);
    const csv = [
      'id,version,kind,employeeNumber,bookingDate,currency,description,account,amountMinor,vatCode,vatAmountMinor,department,project',
      `${two},1,reimbursement,E001,2026-10-10,NOK,"Taxi, airport",7140,40000,HIGH,10000,SALES,`,
      `${two},1,reimbursement,E001,2026-10-10,NOK,"Taxi, airport",7150,500,EXEMPT,0,,P100`,
      `${existing.id},1,expense_claim,E004,2026-10-09,NOK,changed,7140,9900,ZERO,0,,`,
    ].join('\r\n');
    const r = await cli(['records', 'import', '--org', orgId, file('claims.csv', csv), '--json'], env);
    const out = JSON.parse(r.stdout) as {
      upserted: number;
      refused: { line: number; issues: { rule: string }[] }[];
    };
    expect(out.upserted).toBe(1);
    expect(out.refused.map((x) => [x.line, x.issues[0]?.rule])).toEqual([[4, 'VERSION_PAYLOAD_CONFLICT']]);
    expect(r.code).toBe(1);
    const stored = await t.db.expenseRecords.get(orgId, two);
    expect(stored?.lines).toEqual([
      {
        account: '7140',
        amountMinor: 40_000,
        vatCode: 'HIGH',
        vatAmountMinor: 10_000,
        dimensions: { department: 'SALES' },
      },
      {
        account: '7150',
        amountMinor: 500,
        vatCode: 'EXEMPT',
        vatAmountMinor: 0,
        dimensions: { project: 'P100' },
      },
    ]);
    expect(stored?.description).toBe('Taxi, airport');
  });

  it('--dry-run checks locally and stores nothing; exit 0 when every record is good', async () => {
    const record = aRecord();
    const r = await cli(
      ['records', 'import', '--org', orgId, file('dry.jsonl', JSON.stringify(record)), '--dry-run'],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 valid, 0 refused; nothing was stored');
    expect(await t.db.expenseRecords.get(orgId, record.id)).toBeNull();
  });

  it('exits 2 for usage errors: missing --org, unknown format, missing file, bad CSV header', async () => {
    expect((await cli(['records', 'import', file('x.jsonl', '')], env)).code).toBe(2);
    expect((await cli(['records', 'import', '--org', orgId, file('x.txt', '')], env)).code).toBe(2);
    expect((await cli(['records', 'import', '--org', orgId, join(dir, 'absent.jsonl')], env)).code).toBe(2);
    expect((await cli(['records', 'import', '--org', orgId, file('h.csv', 'id,amount\n')], env)).code).toBe(
      2,
    );
  });
});
