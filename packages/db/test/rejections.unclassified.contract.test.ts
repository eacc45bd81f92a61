import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countUnclassifiedErrors } from '../src/rejections/unclassified.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

const failure = (catalogCategory: string | undefined, reason = 'rejected') => ({
  recordId: randomUUID(),
  code: 'Vendor_Code',
  reason,
  ...(catalogCategory ? { catalogCode: catalogCategory.toUpperCase(), catalogCategory } : {}),
});

describe.each(DIALECTS)('unclassified rejections counted on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  it('counts sync-level and per-record unclassified errors per system, since the given instant only', async () => {
    const xledger = await givenOrganization(t.db);
    const dynamics = await givenOrganization(t.db, { accountingSystem: 'dynamics' });
    const failWith = async (
      org: { id: string },
      overrides: Record<string, unknown>,
      errorDetails: Record<string, unknown>,
      now?: string,
    ) => {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id, overrides), now ? { now } : {});
      await t.db.syncLogs.fail(
        {
          id: syncLog.id,
          errorDetails: {
            code: 'X',
            message: 'failed',
            category: 'validation',
            retryable: false,
            ...errorDetails,
          },
        } as never,
        now ? { now } : {},
      );
    };
    // Before the window: not counted.
    await failWith(xledger, {}, { catalogCategory: 'unclassified' }, '2026-01-01T00:00:00.000Z');
    // One at sync level plus two of three records: 3 for xledger.
    await failWith(
      xledger,
      {},
      {
        catalogCode: 'UNCLASSIFIED',
        catalogCategory: 'unclassified',
        recordFailures: [failure('unclassified'), failure('period_locked'), failure('unclassified')],
      },
    );
    // The word after the key, but no unclassified category: the text match narrows, the count is exact.
    await failWith(
      dynamics,
      { accountingSystem: 'dynamics' },
      {
        catalogCategory: 'period_locked',
        recordFailures: [failure(undefined, 'unclassified by the vendor')],
      },
    );
    const counts = await countUnclassifiedErrors(t.db, '2026-06-01T00:00:00.000Z');
    // A system may be absent when the text match left none of its rows (jsonb orders keys its own way).
    const count = (system: string) => counts.find((c) => c.accountingSystem === system)?.count ?? 0;
    expect([count('xledger'), count('dynamics')]).toEqual([3, 0]);
    expect(counts.every((c) => c.accountingSystem === 'xledger' || c.accountingSystem === 'dynamics')).toBe(
      true,
    );
  });
});
