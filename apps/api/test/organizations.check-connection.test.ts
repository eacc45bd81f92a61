import { type RunningEmulators, startEmulators } from '@meander/accounting/emulators';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf } from './fixtures.js';

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; message: string }[];
}

describe.each(DIALECTS)('organizations.checkConnection on %s', (dialect) => {
  let f: ApiFixture;
  let emulators: RunningEmulators;
  beforeAll(async () => {
    [f, emulators] = await Promise.all([createApiFixture(dialect), startEmulators()]);
  });
  afterAll(async () => {
    await Promise.all([f?.drop(), emulators?.close()]);
  });
  beforeEach(() => emulators.reset());

  const configure = (system: 'xledger' | 'dynamics', connection: Record<string, string>) =>
    f.db.organizations.configureAccounting({
      organizationId: f.orgId,
      enabled: true,
      config: { accountingSystem: system, connection },
    });
  const check = async (who: 'orgAdminOwn' | 'orgAdminOther' | 'globalAdmin' | 'service' = 'orgAdminOwn') =>
    f.query('organizations.checkConnection', { organizationId: f.orgId }, who);

  it('Business Central: every check passes against the emulator, read-only', async () => {
    await configure('dynamics', emulators.connections.dynamics);
    const report = dataOf<Report>(await check());
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['module', true],
      ['credentials', true],
      ['company', true],
      ['journal', true],
      ['balancing_account', true],
      ['local_currency', true],
      // Informational: the batch settings API v2.0 does not expose, with how the product copes.
      ['batch_no_series', true],
      ['batch_posting_no_series', true],
      ['post_with_job_queue', true],
      ['allowed_posting_dates', true],
      ['copy_vat_setup', true],
    ]);
    expect(report.checks.find((c) => c.name === 'balancing_account')?.message).toMatch(/2990/);
    // Read-only: nothing written to the ledger.
    expect(emulators.stats('dynamics').writes).toBe(0);
  });

  it('Business Central: a missing balancing account fails its check, naming the setting', async () => {
    const { balancingAccountNumber: _omitted, ...connection } = emulators.connections.dynamics;
    await configure('dynamics', connection);
    const report = dataOf<Report>(await check('globalAdmin'));
    expect(report.ok).toBe(false);
    const failing = report.checks.filter((c) => !c.ok);
    expect(failing.map((c) => c.name)).toEqual(['balancing_account']);
    expect(failing[0]?.message).toMatch(/balancingAccountNumber/);
  });

  it('Business Central: a balancing account not in the chart, an unknown company, refused credentials', async () => {
    await configure('dynamics', { ...emulators.connections.dynamics, balancingAccountNumber: '4711' });
    let report = dataOf<Report>(await check());
    expect(report.checks.find((c) => c.name === 'balancing_account')).toMatchObject({ ok: false });
    expect(report.checks.find((c) => c.name === 'balancing_account')?.message).toMatch(
      /4711.*not in the chart of accounts/,
    );

    await configure('dynamics', {
      ...emulators.connections.dynamics,
      companyId: '00000000-0000-0000-0000-0000000000cc',
    });
    report = dataOf<Report>(await check());
    expect(report.checks.find((c) => c.name === 'company')).toMatchObject({ ok: false });
    expect(report.checks.find((c) => c.name === 'journal')?.message).toMatch(/not checked/);

    await configure('dynamics', { ...emulators.connections.dynamics, clientSecret: 'wrong' });
    report = dataOf<Report>(await check());
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'credentials')).toMatchObject({ ok: false });
    expect(report.checks.find((c) => c.name === 'credentials')?.message).not.toMatch(/wrong/);
  });

  it('settings missing a key: one failing settings check naming it (never its value)', async () => {
    const { clientSecret: _omitted, ...connection } = emulators.connections.dynamics;
    await configure('dynamics', connection);
    const report = dataOf<Report>(await check());
    expect(report).toEqual({
      ok: false,
      checks: [{ name: 'settings', ok: false, message: expect.stringMatching(/clientSecret is missing/) }],
    });
  });

  it('Xledger: checked through the same procedure', async () => {
    await configure('xledger', emulators.connections.xledger);
    const report = dataOf<Report>(await check());
    expect(report.ok).toBe(true);
    await configure('xledger', { ...emulators.connections.xledger, apiToken: 'not-a-token' });
    expect(dataOf<Report>(await check()).ok).toBe(false);
  });

  it('an org admin of another organization is refused; a service is refused', async () => {
    await configure('dynamics', emulators.connections.dynamics);
    const other = await check('orgAdminOther');
    expect(other.status).toBe(403);
    expect(other.body.error?.data.domainCode).toBe('FORBIDDEN');
    const service = await check('service');
    expect(service.status).toBe(403);
  });

  it('an unknown organization is NOT_FOUND', async () => {
    const res = await f.query(
      'organizations.checkConnection',
      { organizationId: '99999999-9999-4999-8999-999999999999' },
      'globalAdmin',
    );
    expect(res.status).toBe(404);
  });

  it('configureAccounting with verifyConnection stores a connection only when the ledger accepts it', async () => {
    await configure('dynamics', emulators.connections.dynamics);
    const refused = await f.mutate(
      'organizations.configureAccounting',
      {
        organizationId: f.orgId,
        enabled: true,
        accountingSystem: 'dynamics',
        connection: { ...emulators.connections.dynamics, balancingAccountNumber: '4711' },
        verifyConnection: true,
      },
      'globalAdmin',
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
    expect(refused.body.error?.data.issues).toEqual([
      expect.objectContaining({ rule: 'connection_check', path: ['connection', 'balancing_account'] }),
    ]);
    // Nothing changed: the stored connection still passes, and the ledger saw reads only.
    expect(dataOf<Report>(await check()).ok).toBe(true);
    expect(emulators.stats('dynamics').writes).toBe(0);

    const accepted = await f.mutate(
      'organizations.configureAccounting',
      {
        organizationId: f.orgId,
        enabled: true,
        accountingSystem: 'dynamics',
        connection: emulators.connections.dynamics,
        verifyConnection: true,
      },
      'globalAdmin',
    );
    expect(accepted.status).toBe(200);
    expect(JSON.stringify(accepted.body)).not.toContain(emulators.connections.dynamics.clientSecret);
  });
});
