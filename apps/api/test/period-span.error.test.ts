import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

const HUGE = { periodStart: '0001-01-01T00:00:00.000Z', periodEnd: '9999-12-31T23:59:59.999Z' };

// The outside probe (issue 23) exported 0001–9999. Export, preview and list are bounded to five years.
describe.each(DIALECTS)('period spans on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  const ruleOf = (body: Awaited<ReturnType<ApiFixture['mutate']>>['body']) =>
    body.error?.data.issues.map((i) => `${i.rule}:${i.path.join('.')}`);

  it('refuses an export over five years with the rule and field, and records nothing', async () => {
    const res = await f.mutate('syncs.startExport', { organizationId: f.orgId, ...HUGE }, 'orgAdminOwn');
    expect(res.status).toBe(400);
    expect(res.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
    expect(ruleOf(res.body)).toEqual(['period_span_bounded:periodEnd']);
    const list = await f.query('syncLogs.list', { organizationId: f.orgId }, 'orgAdminOwn');
    expect((list.body.result?.data as { items: unknown[] } | undefined)?.items).toEqual([]);
  });

  it('refuses a preview over five years, and one that ends before it starts', async () => {
    const huge = await f.query('syncs.preview', { organizationId: f.orgId, ...HUGE }, 'orgAdminOwn');
    expect(huge.status).toBe(400);
    expect(ruleOf(huge.body)).toEqual(['period_span_bounded:periodEnd']);
    const backwards = await f.query(
      'syncs.preview',
      {
        organizationId: f.orgId,
        periodStart: '2026-11-30T00:00:00.000Z',
        periodEnd: '2026-11-01T00:00:00.000Z',
      },
      'orgAdminOwn',
    );
    expect(ruleOf(backwards.body)).toEqual(['period_end_after_period_start:periodEnd']);
  });

  it('refuses a history filter over five years, naming periodTo', async () => {
    const res = await f.query(
      'syncLogs.list',
      { organizationId: f.orgId, periodFrom: HUGE.periodStart, periodTo: HUGE.periodEnd },
      'orgAdminOwn',
    );
    expect(res.status).toBe(400);
    expect(ruleOf(res.body)).toEqual(['period_span_bounded:periodTo']);
    const fine = await f.query(
      'syncLogs.list',
      {
        organizationId: f.orgId,
        periodFrom: '2026-01-01T00:00:00.000Z',
        periodTo: '2026-12-31T00:00:00.000Z',
      },
      'orgAdminOwn',
    );
    expect(fine.status).toBe(200);
    const backwards = await f.query(
      'syncLogs.list',
      {
        organizationId: f.orgId,
        periodFrom: '2026-12-01T00:00:00.000Z',
        periodTo: '2026-01-01T00:00:00.000Z',
      },
      'orgAdminOwn',
    );
    expect(backwards.status).toBe(400);
    expect(ruleOf(backwards.body)).toEqual(['period_end_after_period_start:periodTo']);
  });
});
