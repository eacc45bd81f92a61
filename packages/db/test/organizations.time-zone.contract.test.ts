import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError } from '@meander/domain';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

const TAG = '0009_organization_time_zone';

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe.each(DIALECTS)('an organization keeps its books in one IANA time zone on %s', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('is UTC unless chosen, kept in canonical spelling, and changed with the accounting module', async () => {
    t = await createTestDatabase(dialect);
    const plain = await t.db.organizations.create({ name: 'Plain AS' });
    expect(plain.timeZone).toBe('UTC');
    const oslo = await t.db.organizations.create({ name: 'Oslo AS', timeZone: 'europe/oslo' });
    expect(oslo.timeZone).toBe('Europe/Oslo');
    expect((await t.db.organizations.get(oslo.id))?.timeZone).toBe('Europe/Oslo');
    await t.db.organizations.configureAccounting({
      organizationId: plain.id,
      enabled: true,
      config: { accountingSystem: 'xledger' },
      timeZone: 'America/New_York',
    });
    expect((await t.db.organizations.list()).map((o) => [o.name, o.timeZone])).toEqual([
      ['Oslo AS', 'Europe/Oslo'],
      ['Plain AS', 'America/New_York'],
    ]);
    expect((await t.db.organizations.setTimeZone(plain.id, 'Asia/Tokyo')).timeZone).toBe('Asia/Tokyo');
  });

  it('refuses an unknown zone with rule time_zone_known on the field, and changes nothing', async () => {
    t = await createTestDatabase(dialect);
    const db = t.db;
    const created = await refusal(
      db.organizations.create({ name: 'Atlantis AS', timeZone: 'Europe/Atlantis' }),
    );
    expect(created.code).toBe('VALIDATION_FAILED');
    expect(created.issues).toContainEqual(
      expect.objectContaining({ rule: 'time_zone_known', path: ['timeZone'] }),
    );
    expect(await db.organizations.list()).toEqual([]);

    const org = await db.organizations.create({ name: 'Kept AS', timeZone: 'Europe/Oslo' });
    const configured = await refusal(
      db.organizations.configureAccounting({
        organizationId: org.id,
        enabled: true,
        config: { accountingSystem: 'xledger' },
        timeZone: 'Mars/Olympus',
      }),
    );
    expect(configured.issues[0]).toMatchObject({ rule: 'time_zone_known', path: ['timeZone'] });
    expect(await db.organizations.getAccountingModule(org.id)).toBeNull();
    expect((await refusal(db.organizations.setTimeZone(org.id, 'Nowhere'))).code).toBe('VALIDATION_FAILED');
    expect((await refusal(db.organizations.setTimeZone(randomUUID(), 'UTC'))).code).toBe(
      'ORGANIZATION_NOT_FOUND',
    );
    expect((await db.organizations.get(org.id))?.timeZone).toBe('Europe/Oslo');
  });

  it('the database refuses a time zone that is not shaped like an IANA name', async () => {
    t = await createTestDatabase(dialect);
    const org = await t.db.organizations.create({ name: 'Raw AS' });
    for (const bad of ['', "Europe/Oslo'; --", 'x'.repeat(65)]) {
      expect(
        await rawError(t.db.raw, 'UPDATE organizations SET time_zone = ? WHERE id = ?', [bad, org.id]),
      ).toMatch(/ck_organizations_time_zone|CHECK|23514/i);
    }
    const [row] = await rawQuery<{ time_zone: string }>(
      t.db.raw,
      'SELECT time_zone FROM organizations WHERE id = ?',
      [org.id],
    );
    expect(row?.time_zone).toBe('UTC');
  });

  it("a period's records are the booking dates of the organization's own days", async () => {
    t = await createTestDatabase(dialect);
    const db = t.db;
    const seedDays = async (organizationId: string) =>
      db.expenseRecords.insertMany(
        ['2026-10-31', '2026-11-01', '2026-11-30', '2026-12-01'].map((bookingDate) => ({
          organizationId,
          kind: 'expense_claim' as const,
          amountMinor: 1000,
          currency: 'NOK',
          bookingDate,
          account: '6800',
          approvalState: 'approved' as const,
        })),
      );
    const oslo = await db.organizations.create({ name: 'Oslo AS', timeZone: 'Europe/Oslo' });
    const utc = await db.organizations.create({ name: 'UTC AS' });
    await seedDays(oslo.id);
    await seedDays(utc.id);
    // Oslo's November as instants: it starts at 23:00 UTC on 31 October.
    const november = { periodStart: '2026-10-31T23:00:00.000Z', periodEnd: '2026-11-30T22:59:59.999Z' };
    expect(await db.expenseRecords.countApproved({ organizationId: oslo.id, ...november })).toBe(2);
    const dates: string[] = [];
    for await (const page of db.expenseRecords.streamApproved({ organizationId: oslo.id, ...november }, 1)) {
      dates.push(...page.map((r) => r.bookingDate));
    }
    expect(dates).toEqual(['2026-11-01', '2026-11-30']);
    // The same instants read in UTC reach back into 31 October.
    expect(await db.expenseRecords.countApproved({ organizationId: utc.id, ...november })).toBe(3);
  });

  it('migration 0009 gives existing organizations their schedule zone, else UTC', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const folder = mkdtempSync(join(tmpdir(), 'meander-mig-'));
    try {
      cpSync(MIGRATIONS[dialect], folder, { recursive: true });
      const journalPath = join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
      // Everything before 0009: drizzle applies only migrations newer than the last one applied.
      journal.entries = journal.entries.filter((e) => e.tag < TAG);
      writeFileSync(journalPath, JSON.stringify(journal));
      if (t.db.raw.dialect === 'sqlite') {
        migrateSqlite(drizzleSqlite(t.db.raw.connection), { migrationsFolder: folder });
      } else {
        const pg = postgres(t.url, { max: 1, onnotice: () => undefined });
        try {
          await migratePg(drizzlePg(pg), { migrationsFolder: folder });
        } finally {
          await pg.end();
        }
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const [scheduled, bare] = [randomUUID(), randomUUID()];
    for (const id of [scheduled, bare]) {
      await rawExec(t.db.raw, 'INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
        id,
        `Org ${id.slice(0, 4)}`,
        '2026-01-01T00:00:00.000Z',
      ]);
    }
    const config = JSON.stringify({
      accountingSystem: 'xledger',
      schedule: { cron: '0 2 * * *', timezone: 'Europe/Oslo' },
    });
    await rawExec(
      t.db.raw,
      `INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at) VALUES (?, 'admin-accounting', ?, ${dialect === 'postgres' ? '(?::text)::jsonb' : '?'}, ?)`,
      [scheduled, dialect === 'postgres' ? true : 1, config, '2026-01-01T00:00:00.000Z'],
    );
    await migrate(t.url);
    expect((await t.db.organizations.get(scheduled))?.timeZone).toBe('Europe/Oslo');
    expect((await t.db.organizations.get(bare))?.timeZone).toBe('UTC');
  });
});
