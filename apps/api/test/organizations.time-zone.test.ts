import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

describe.each(DIALECTS)('organizations carry their IANA timeZone on the wire, on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('create takes timeZone (UTC when left out) and list/get return it', async () => {
    const created = await f.mutate(
      'organizations.create',
      { name: 'Tromsø AS', timeZone: 'Europe/Oslo' },
      'globalAdmin',
    );
    expect(created.status).toBe(200);
    const org = created.body.result?.data as { id: string; timeZone: string };
    expect(org.timeZone).toBe('Europe/Oslo');
    const plain = (await f.mutate('organizations.create', { name: 'Plain AS' }, 'globalAdmin')).body.result
      ?.data;
    expect(plain).toMatchObject({ timeZone: 'UTC' });
    const got = await f.query('organizations.get', { id: org.id }, 'globalAdmin');
    expect(got.body.result?.data).toMatchObject({ id: org.id, name: 'Tromsø AS', timeZone: 'Europe/Oslo' });
    const list = (await f.query('organizations.list', undefined, 'globalAdmin')).body.result?.data as {
      id: string;
      timeZone: string;
    }[];
    expect(list.find((o) => o.id === org.id)?.timeZone).toBe('Europe/Oslo');
    expect(list.every((o) => typeof o.timeZone === 'string')).toBe(true);
  });

  it('configureAccounting changes it and returns it', async () => {
    const res = await f.mutate(
      'organizations.configureAccounting',
      { organizationId: f.orgId, enabled: true, accountingSystem: 'xledger', timeZone: 'America/New_York' },
      'globalAdmin',
    );
    expect(res.status).toBe(200);
    expect(res.body.result?.data).toMatchObject({ timeZone: 'America/New_York' });
    expect((await f.db.organizations.get(f.orgId))?.timeZone).toBe('America/New_York');
  });

  it("a schedule without a zone runs in the organization's", async () => {
    const res = await f.mutate(
      'organizations.configureAccounting',
      {
        organizationId: f.orgId,
        enabled: true,
        accountingSystem: 'xledger',
        timeZone: 'Europe/Oslo',
        schedule: { cron: '0 2 * * *' },
      },
      'globalAdmin',
    );
    expect(res.status).toBe(200);
    expect((await f.db.organizations.getAccountingModule(f.orgId))?.config?.schedule).toEqual({
      cron: '0 2 * * *',
      timezone: 'Europe/Oslo',
    });
  });

  it('an unknown zone is BAD_REQUEST with rule time_zone_known on timeZone, and nothing changes', async () => {
    const before = await f.db.organizations.list();
    const res = await f.mutate(
      'organizations.create',
      { name: 'Atlantis AS', timeZone: 'Europe/Atlantis' },
      'globalAdmin',
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.data).toMatchObject({
      domainCode: 'VALIDATION_FAILED',
      issues: [expect.objectContaining({ rule: 'time_zone_known', path: ['timeZone'] })],
    });
    expect(await f.db.organizations.list()).toEqual(before);
  });
});
