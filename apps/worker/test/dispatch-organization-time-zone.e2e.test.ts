import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { periodLabel } from '@meander/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchDueSyncs } from '../src/dispatcher.js';
import { silentLogger } from '../src/logger.js';

describe.each(DIALECTS)("a scheduled sync covers the organization's own month on %s", (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  async function given(timeZone: string, scheduleZone: string): Promise<string> {
    if (!t) throw new Error('no database');
    const org = await t.db.organizations.create({ name: `Zone ${timeZone}`, timeZone });
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'xledger', schedule: { cron: '0 2 * * *', timezone: scheduleZone } },
    });
    await t.db.expenseRecords.insertMany([
      {
        organizationId: org.id,
        kind: 'expense_claim',
        amountMinor: 1000,
        currency: 'NOK',
        bookingDate: '2026-11-01',
        account: '6800',
        approvalState: 'approved',
      },
    ]);
    return org.id;
  }

  it("Oslo's November is 2026-10-31T23:00Z – 2026-11-30T23:00Z (inclusive end) and reads November 2026", async () => {
    t = await createTestDatabase(dialect);
    // The organization's zone decides the month, whatever zone the cron is written in.
    const oslo = await given('Europe/Oslo', 'UTC');
    const utc = await given('UTC', 'UTC');
    const now = new Date('2026-12-05T02:00:30.000Z');
    const created = await dispatchDueSyncs(t.db, {
      since: new Date(now.getTime() - 60_000),
      now,
      logger: silentLogger,
    });
    const mine = created.find((s) => s.organizationId === oslo);
    expect(mine).toMatchObject({
      periodStart: '2026-10-31T23:00:00.000Z',
      periodEnd: '2026-11-30T22:59:59.999Z',
      recordsTotal: 1,
    });
    expect(periodLabel(mine?.periodStart ?? '', mine?.periodEnd ?? '', 'Europe/Oslo')).toBe('November 2026');
    expect(created.find((s) => s.organizationId === utc)).toMatchObject({
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-11-30T23:59:59.999Z',
    });
  });
});
