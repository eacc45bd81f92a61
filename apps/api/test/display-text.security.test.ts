import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

// The outside probe (issue 23): RTL overrides, NUL and zero-width-only strings were stored and shown.
describe.each(DIALECTS)('names and reasons on %s', (dialect) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await createApiFixture(dialect);
  });
  afterAll(async () => {
    await f?.drop();
  });

  it.each([
    ['an RTL override', 'Evil\u202Egpj.exe AS'],
    ['NUL', 'Nul\u0000AS'],
    ['only zero-width characters', '\u200B\u200C\u200D'],
  ])('refuses an organization name with %s, naming the field, and stores nothing', async (_w, name) => {
    const before = (await f.db.organizations.list()).length;
    const res = await f.mutate('organizations.create', { name }, 'globalAdmin');
    expect(res.status).toBe(400);
    expect(res.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
    expect(res.body.error?.data.issues.map((i) => i.path.join('.'))).toEqual(['name']);
    expect((await f.db.organizations.list()).length).toBe(before);
  });

  it('stores a name NFC-normalised', async () => {
    const res = await f.mutate('organizations.create', { name: 'Cafe\u0301 Regnskap' }, 'globalAdmin');
    expect(res.status).toBe(200);
    expect((res.body.result?.data as { name: string } | undefined)?.name).toBe('Caf\u00E9 Regnskap');
  });

  it('refuses a deletion reason with a bidi control, and deletes nothing', async () => {
    const { syncLog } = await f.db.syncLogs.create({
      organizationId: f.orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
    });
    await f.db.syncLogs.start(syncLog.id);
    await f.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
    const res = await f.mutate(
      'syncLogs.delete',
      { id: syncLog.id, reason: 'DSR \u2066ticket\u2069 99', legalBasis: 'data_subject_request' },
      'globalAdminViaAudit',
    );
    expect(res.status).toBe(400);
    expect(res.body.error?.data.issues.map((i) => i.path.join('.'))).toEqual(['reason']);
    expect((await f.db.syncLogs.get(syncLog.id))?.status).toBe('success');
  });
});
