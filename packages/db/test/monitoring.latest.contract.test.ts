import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

const T = '2026-11-01T08:00:00.000Z';
const DETAILS = { code: 'X', message: 'x', category: 'unknown' as const, retryable: false };

/** The latest sync of a group is one row, chosen the same way on both dialects (started_at, then id). */
describe.each(DIALECTS)('monitoring on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('breaks a startedAt tie by the greater id, with one entry per organization and system', async () => {
    const org = await givenOrganization(t.db);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), { now: T });
      await t.db.syncLogs.fail({ id: syncLog.id, errorDetails: DETAILS }, { now: T });
      ids.push(syncLog.id);
    }
    const entries = await t.db.syncLogs.monitoringOverview({
      organizationId: org.id,
      now: T,
      staleAfterSeconds: 60,
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.lastSync?.id).toBe([...ids].sort().at(-1));
    expect(entries[0]?.consecutiveFailures).toBe(3);
  });
});
