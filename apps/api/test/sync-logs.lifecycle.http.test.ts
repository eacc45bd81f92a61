import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf, failure, PERIOD } from './fixtures.js';

describe.each(DIALECTS)('the recording API over HTTP on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('runs create → start → progress → complete and returns plain JSON', async () => {
    const created = await f.mutate(
      'syncLogs.create',
      { organizationId: f.orgId, accountingSystem: 'xledger', syncType: 'api', recordsTotal: 10, ...PERIOD },
      'service',
    );
    expect(created.status).toBe(200);
    const log = created.body.result?.data as Record<string, unknown>;
    expect(log).toMatchObject({
      status: 'pending',
      organizationId: f.orgId,
      recordsTotal: 10,
      triggeredBy: null,
      warnings: [],
    });
    const id = log.id as string;
    expect((await f.mutate('syncLogs.start', { id }, 'service')).body.result?.data).toMatchObject({
      status: 'in_progress',
    });
    expect(
      (await f.mutate('syncLogs.reportProgress', { id, recordsSynced: 5, recordsFailed: 0 }, 'service')).body
        .result?.data,
    ).toMatchObject({ recordsSynced: 5 });
    const done = await f.mutate(
      'syncLogs.complete',
      { id, recordsSynced: 9, recordsFailed: 1, externalReferenceId: 'abc', errorDetails: failure(['r-1']) },
      'service',
    );
    expect(done.status).toBe(200);
    const body = done.body.result?.data as {
      status: string;
      warnings: { rule: string; severity: string }[];
      errorDetails: { warnings: { rule: string }[] };
    };
    expect(body.status).toBe('partial');
    expect(body.warnings).toEqual([
      expect.objectContaining({ rule: 'external_reference_id_format', severity: 'warning' }),
    ]);
    expect(body.errorDetails.warnings.map((w) => w.rule)).toEqual(['external_reference_id_format']);
    const got = await f.query('syncLogs.get', { id }, 'orgAdminOwn');
    expect(got.body.result?.data).toMatchObject({
      id,
      status: 'partial',
      completedAt: expect.stringMatching(/Z$/),
    });
    const again = await f.mutate('syncLogs.complete', { id, recordsSynced: 10, recordsFailed: 0 }, 'service');
    expect(again.status).toBe(409);
    expect(again.body.error?.data.domainCode).toBe('RECORD_IMMUTABLE');
  });

  it('answers every rule as a typed error and writes nothing', async () => {
    const reversed = await f.mutate(
      'syncLogs.create',
      {
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        periodStart: PERIOD.periodEnd,
        periodEnd: PERIOD.periodStart,
      },
      'service',
    );
    expect(reversed.status).toBe(400);
    expect(reversed.body.error?.data).toMatchObject({
      domainCode: 'VALIDATION_FAILED',
      issues: [
        expect.objectContaining({
          rule: 'period_end_after_period_start',
          severity: 'error',
          path: ['periodEnd'],
        }),
      ],
    });
    const negative = await f.mutate(
      'syncLogs.create',
      { organizationId: f.orgId, accountingSystem: 'xledger', syncType: 'api', recordsTotal: -3, ...PERIOD },
      'service',
    );
    expect(negative.body.error?.data.issues[0]).toMatchObject({
      rule: 'records_counts_non_negative',
      path: ['recordsTotal'],
    });
    const unknownOrg = await f.mutate(
      'syncLogs.create',
      {
        organizationId: '7d0c2f55-1a8b-4c3e-9f6a-5b4d3c2e1f00',
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
      },
      'service',
    );
    expect(unknownOrg.status).toBe(404);
    expect(unknownOrg.body.error?.data).toMatchObject({
      domainCode: 'ORGANIZATION_NOT_FOUND',
      issues: [expect.objectContaining({ rule: 'organization_id_exists' })],
    });
    const disabled = await f.mutate(
      'syncLogs.create',
      {
        organizationId: f.disabledOrgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
      },
      'service',
    );
    expect(disabled.status).toBe(412);
    expect(disabled.body.error?.data.domainCode).toBe('ACCOUNTING_MODULE_DISABLED');
    const shape = await f.mutate(
      'syncLogs.create',
      { organizationId: 'nope', syncType: 'weekly' },
      'service',
    );
    expect(shape.status).toBe(400);
    expect(shape.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
    expect(shape.body.error?.data.issues.map((i) => i.path[0])).toEqual(
      expect.arrayContaining(['organizationId', 'syncType']),
    );
    const pii = await f.mutate(
      'syncLogs.create',
      {
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
        payloadSummary: { formatVersion: '1', email: 'kari@example.no' },
      },
      'service',
    );
    expect(pii.status).toBe(400);
    const list = await f.query('syncLogs.list', { organizationId: f.disabledOrgId }, 'globalAdmin');
    expect(dataOf<{ items: unknown[] }>(list).items).toHaveLength(0);
  });

  it('refuses a second active sync with SYNC_ALREADY_ACTIVE and a partial without details', async () => {
    const org = await f.db.organizations.create({ name: 'Busy AS' });
    await f.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'dynamics' },
    });
    const input = {
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'scheduled',
      recordsTotal: 2,
      ...PERIOD,
    };
    const first = await f.mutate('syncLogs.create', input, 'service');
    const second = await f.mutate('syncLogs.create', input, 'service');
    expect(second.status).toBe(409);
    expect(second.body.error?.data).toMatchObject({
      domainCode: 'SYNC_ALREADY_ACTIVE',
      issues: [expect.objectContaining({ rule: 'one_active_sync_per_organization' })],
    });
    const id = dataOf<{ id: string }>(first).id;
    await f.mutate('syncLogs.start', { id }, 'service');
    const noDetails = await f.mutate(
      'syncLogs.complete',
      { id, recordsSynced: 1, recordsFailed: 1 },
      'service',
    );
    expect(noDetails.status).toBe(400);
    expect(noDetails.body.error?.data.domainCode).toBe('ERROR_DETAILS_REQUIRED');
    const failNoDetails = await f.mutate('syncLogs.fail', { id }, 'service');
    expect(failNoDetails.body.error?.data.domainCode).toBe('ERROR_DETAILS_REQUIRED');
    const mismatch = await f.mutate(
      'syncLogs.complete',
      { id, recordsSynced: 1, recordsFailed: 0 },
      'service',
    );
    expect(mismatch.body.result?.data).toMatchObject({
      status: 'partial',
      warnings: [expect.objectContaining({ rule: 'records_count_consistency' })],
    });
  });

  it('refuses a start of a running sync with INVALID_STATUS_TRANSITION', async () => {
    const org = await f.db.organizations.create({ name: 'Twice AS' });
    await f.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
    const created = await f.mutate(
      'syncLogs.create',
      { organizationId: org.id, accountingSystem: 'xledger', syncType: 'api', recordsTotal: 1, ...PERIOD },
      'service',
    );
    const id = dataOf<{ id: string }>(created).id;
    await f.mutate('syncLogs.start', { id }, 'service');
    const again = await f.mutate('syncLogs.start', { id }, 'service');
    expect(again.status).toBe(409);
    expect(again.body.error?.data).toMatchObject({
      domainCode: 'INVALID_STATUS_TRANSITION',
      issues: [expect.objectContaining({ rule: 'valid_status_transition' })],
    });
  });
});
