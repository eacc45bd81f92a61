import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_CSV_COLUMNS } from '../src/records/csv-records.js';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-readme-import-secret-0123456789';
const NORDLYS = '11111111-1111-4111-8111-111111111111';

/** The README's "Integrating Meander's expense system" section. */
function integrationSection(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf("## Integrating Meander's expense system");
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0)
    throw new Error('README.md has no section "Integrating Meander\'s expense system"');
  return readme.slice(start, end);
}

/** The one code block of `lang` in the section. */
function block(section: string, lang: string): string {
  const found = [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))];
  expect(found, `one \`\`\`${lang} block`).toHaveLength(1);
  return found[0]?.[1] ?? '';
}

describe.each(DIALECTS)("the README's import files, through meander-sync records import on %s", (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    await t.db.organizations.create({ id: NORDLYS, name: 'Nordlys AS', timeZone: 'Europe/Oslo' });
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    env = {
      MEANDER_API_URL: api.url,
      MEANDER_TOKEN: await signToken({ sub: randomUUID(), role: 'service' }, SECRET),
    };
    dir = mkdtempSync(join(tmpdir(), 'meander-readme-'));
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the CSV columns the CLI reads, and its JSONL and CSV examples import as printed', async () => {
    const section = integrationSection();
    expect(section).toContain(`\`${RECORD_CSV_COLUMNS.join(',')}\``);
    const run = async (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      const r = await cli(['records', 'import', '--org', NORDLYS, path, '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { records: number; upserted: number; refused: unknown[] };
    };

    expect(await run('claims.jsonl', block(section, 'jsonl'))).toMatchObject({
      records: 2,
      upserted: 2,
      refused: [],
    });
    expect(await run('claims.csv', block(section, 'csv'))).toMatchObject({
      records: 1,
      upserted: 1,
      refused: [],
    });
    const visit = await t.db.expenseRecords.get(NORDLYS, '7d1e2f30-4a5b-4c6d-8e9f-0a1b2c3d4e03');
    expect(visit).toMatchObject({ employeeNumber: 'E003', description: 'Kundebesøk Tromsø' });
    expect(visit?.lines).toEqual([
      {
        account: '7150',
        amountMinor: 98_000,
        vatCode: 'MEDIUM',
        vatAmountMinor: 14_700,
        dimensions: { department: 'SALES', project: 'P200' },
      },
      {
        account: '7160',
        amountMinor: 45_000,
        vatCode: 'LOW',
        vatAmountMinor: 5_400,
        dimensions: { department: 'SALES' },
      },
    ]);
  });
});
