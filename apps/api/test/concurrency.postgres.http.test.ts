import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, PERIOD } from './fixtures.js';

describe('PostgreSQL behind the API under concurrent callers', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture('postgres');
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('40 concurrent syncLogs.create for one organization → one success, 39 SYNC_ALREADY_ACTIVE', async () => {
    const input = {
      organizationId: f.otherOrgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 3,
      ...PERIOD,
    };
    const results = await Promise.all(
      Array.from({ length: 40 }, () => f.mutate('syncLogs.create', input, 'service')),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const refused = results.filter((r) => r.status === 409);
    expect(refused).toHaveLength(39);
    expect(refused.every((r) => r.body.error?.data.domainCode === 'SYNC_ALREADY_ACTIVE')).toBe(true);
    expect((await f.db.syncLogs.list({ organizationId: f.otherOrgId })).items).toHaveLength(1);
  });
});
