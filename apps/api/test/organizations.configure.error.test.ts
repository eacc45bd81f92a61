import { CredentialCipher } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

describe.each(DIALECTS)('organizations.configureAccounting keeps what it is not given, on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  const stored = async () => (await f.db.organizations.getAccountingModule(f.orgId))?.config?.connection;

  it('without `connection` the stored connection is unchanged', async () => {
    const before = await stored();
    expect(before).toMatchObject({ apiToken: 'x' });
    const res = await f.mutate(
      'organizations.configureAccounting',
      { organizationId: f.orgId, enabled: false, accountingSystem: 'xledger' },
      'globalAdmin',
    );
    expect(res.status).toBe(200);
    expect(await stored()).toEqual(before);
    expect((await f.db.organizations.getAccountingModule(f.orgId))?.enabled).toBe(false);
  });

  it('a new connection replaces it; null removes it', async () => {
    await f.mutate(
      'organizations.configureAccounting',
      {
        organizationId: f.orgId,
        enabled: true,
        accountingSystem: 'xledger',
        connection: { baseUrl: 'http://127.0.0.1:9/g', apiToken: 'y' },
      },
      'globalAdmin',
    );
    expect(await stored()).toMatchObject({ apiToken: 'y' });
    await f.mutate(
      'organizations.configureAccounting',
      { organizationId: f.orgId, enabled: true, accountingSystem: 'xledger', connection: null },
      'globalAdmin',
    );
    expect(await stored()).toBeUndefined();
  });

  it('keeps a sealed connection sealed under the same key', async () => {
    const cipher = CredentialCipher.generate();
    const sealed = cipher.seal(f.otherOrgId, { apiToken: 'z', baseUrl: 'http://127.0.0.1:9/g' });
    await f.db.organizations.configureAccounting({
      organizationId: f.otherOrgId,
      enabled: true,
      config: { accountingSystem: 'xledger', connection: sealed },
    });
    await f.mutate(
      'organizations.configureAccounting',
      {
        organizationId: f.otherOrgId,
        enabled: true,
        accountingSystem: 'xledger',
        schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      },
      'globalAdmin',
    );
    const after = (await f.db.organizations.getAccountingModule(f.otherOrgId))?.config?.connection;
    expect(cipher.open(f.otherOrgId, after)).toMatchObject({ apiToken: 'z' });
  });
});
