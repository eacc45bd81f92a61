import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, givenOrganization, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-records-import-rate-secret-0123456789';

// The store's contract suite runs the rate on both dialects; this is the CLI's parsing of it.
describe('meander-sync records import: a record’s own exchangeRate', () => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let orgId: string;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase('sqlite');
    orgId = (await givenOrganization(t.db)).id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: randomUUID(), role: 'service' }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token };
    dir = mkdtempSync(join(tmpdir(), 'meander-import-rate-'));
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

  it('takes the CSV column as the decimal text it is, kept as sent (never a number)', async () => {
    const euro = randomUUID();
    const nok = randomUUID();
    const csv = [
      'id,version,kind,employeeNumber,bookingDate,currency,exchangeRate,account,amountMinor,vatCode,vatAmountMinor',
      `${euro},1,expense_claim,E001,2026-10-10,EUR,11.4830,7140,40000,ZERO,0`,
      `${euro},1,expense_claim,E001,2026-10-10,EUR,11.4830,7150,500,ZERO,0`,
      `${nok},1,expense_claim,E001,2026-10-10,NOK,,7140,100,ZERO,0`,
    ].join('\n');
    const r = await cli(['records', 'import', '--org', orgId, file('rates.csv', csv), '--json'], env);
    expect(JSON.parse(r.stdout)).toMatchObject({ upserted: 2, refused: [] });
    expect(r.code).toBe(0);
    expect((await t.db.expenseRecords.get(orgId, euro))?.exchangeRate).toBe('11.4830');
    expect(await t.db.expenseRecords.get(orgId, nok)).not.toHaveProperty('exchangeRate');
  });

  it('refuses a rate that is a JSON number or not a positive decimal, by line, with EXCHANGE_RATE_FORMAT', async () => {
    const record = (exchangeRate: unknown) => ({
      id: randomUUID(),
      version: 1,
      kind: 'expense_claim',
      employeeNumber: 'E004',
      bookingDate: '2026-10-09',
      currency: 'EUR',
      exchangeRate,
      lines: [{ account: '7140', amountMinor: 9_900, vatCode: 'ZERO', vatAmountMinor: 0 }],
    });
    const good = record('0.0912');
    const lines = [good, record(11.48), record('-1'), record('1,5')].map((r) => JSON.stringify(r));
    const path = file('rates.jsonl', lines.join('\n'));
    const dry = await cli(['records', 'import', '--org', orgId, path, '--dry-run', '--json'], env);
    const r = await cli(['records', 'import', '--org', orgId, path, '--json'], env);
    for (const run of [dry, r]) {
      const out = JSON.parse(run.stdout) as {
        refused: { line: number; issues: { rule: string; path: string[] }[] }[];
      };
      expect(out.refused.map((x) => [x.line, x.issues[0]?.rule, x.issues[0]?.path])).toEqual([
        [2, 'EXCHANGE_RATE_FORMAT', ['exchangeRate']],
        [3, 'EXCHANGE_RATE_FORMAT', ['exchangeRate']],
        [4, 'EXCHANGE_RATE_FORMAT', ['exchangeRate']],
      ]);
      expect(run.code).toBe(1);
    }
    expect((await t.db.expenseRecords.get(orgId, good.id))?.exchangeRate).toBe('0.0912');
  });
});
