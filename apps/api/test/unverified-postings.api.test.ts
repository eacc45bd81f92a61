import { randomUUID } from 'node:crypto';
import type { Dialect } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import type { IntegrationHealth, SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture } from './fixtures.js';

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

describe.each(DIALECTS)(
  'unverified postings and ledger requests through the API on %s',
  (dialect: Dialect) => {
    let f: ApiFixture;
    const unverifiedId = randomUUID();
    const refusedId = randomUUID();
    let parent: SyncLog;

    /** A sync the worker ended partial: one record posted but not found, one refused; it cost 9 reads and 4 writes. */
    async function givenPartialSync(): Promise<SyncLog> {
      const { syncLog } = await f.db.syncLogs.create({
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 2,
        ...PERIOD,
      });
      await f.db.syncLogs.start(syncLog.id);
      await f.db.unverifiedPostings.record({
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncLogId: syncLog.id,
        postings: [{ recordId: unverifiedId, code: 'POSTED_NOT_FOUND', reason: 'Imported, not found' }],
      });
      const { syncLog: done } = await f.db.syncLogs.complete({
        id: syncLog.id,
        recordsSynced: 0,
        recordsFailed: 2,
        errorDetails: {
          code: 'RECORDS_REJECTED',
          message: '2 rejected',
          category: 'configuration',
          retryable: false,
          recordFailures: [
            {
              recordId: unverifiedId,
              code: 'POSTED_NOT_FOUND',
              reason: 'Imported, not found',
              catalogCode: 'POSTED_NOT_FOUND',
              catalogCategory: 'configuration',
            },
            { recordId: refusedId, code: 'INVALID_VALUE', reason: 'Account 9999 is closed for posting' },
          ],
        },
        payloadSummary: {
          formatVersion: '1',
          recordIds: [unverifiedId, refusedId],
          ledgerRequests: { reads: 9, writes: 4 },
        },
      });
      return done;
    }

    beforeAll(async () => {
      f = await createApiFixture(dialect);
      await f.db.expenseRecords.insertMany(
        [unverifiedId, refusedId].map((id, i) => ({
          id,
          organizationId: f.orgId,
          kind: 'expense_claim' as const,
          amountMinor: 5_000 + i,
          currency: 'NOK',
          bookingDate: '2026-10-15',
          account: '7100',
          approvalState: 'approved' as const,
        })),
      );
      parent = await givenPartialSync();
    });
    afterAll(async () => f.drop());

    it('shows the integration action_required, naming the count, the catalogue code and the fix', async () => {
      const { status, body } = await f.query('monitoring.health', { organizationId: f.orgId }, 'orgAdminOwn');
      expect(status).toBe(200);
      const [health] = (body.result?.data ?? []) as IntegrationHealth[];
      expect(health?.state).toBe('action_required');
      expect(health?.problems[0]).toMatchObject({
        code: 'POSTED_NOT_FOUND',
        category: 'configuration',
        status: 'open',
        records: 1,
        lastSyncLogId: parent.id,
      });
      expect(health?.problems[0]?.message).toMatch(/^1 record was posted but not found/);
      expect(health?.problems[0]?.fix).toContain('meander-sync resync run <syncLogId> --confirm-unposted');
    });

    it('plans the unverified records apart from the other failures, with the fix', async () => {
      const { body } = await f.query('resync.plan', { organizationId: f.orgId }, 'orgAdminOwn');
      const [entry] = (body.result?.data ?? []) as {
        latestSyncLogId: string;
        failedRecordIds: string[];
        unverified: { recordIds: string[]; code: string; fix: string } | null;
      }[];
      expect(entry?.latestSyncLogId).toBe(parent.id);
      expect(entry?.failedRecordIds.sort()).toEqual([unverifiedId, refusedId].sort());
      expect(entry?.unverified).toMatchObject({ recordIds: [unverifiedId], code: 'POSTED_NOT_FOUND' });
      expect(entry?.unverified?.fix).toMatch(/confirm-unposted/);
    });

    it('re-syncs without the confirmation (read back only) or with it, recorded with who confirmed', async () => {
      const plain = await f.mutate('resync.start', { syncLogId: parent.id }, 'orgAdminOwn');
      expect(plain.status).toBe(200);
      const plainLog = plain.body.result?.data as SyncLog;
      expect(plainLog.payloadSummary).toEqual({
        formatVersion: '1',
        parentSyncId: parent.id,
        recordIds: [unverifiedId, refusedId],
      });
      await f.db.syncLogs.fail({
        id: plainLog.id,
        errorDetails: { code: 'CANCELLED', message: 'test', category: 'unknown', retryable: false },
      });

      const other = await f.mutate(
        'resync.start',
        { syncLogId: parent.id, confirmUnposted: true },
        'orgAdminOther',
      );
      expect(other.body.error?.data.code).toBe('NOT_FOUND');

      const confirmed = await f.mutate(
        'resync.start',
        { syncLogId: parent.id, confirmUnposted: true },
        'orgAdminOwn',
      );
      expect(confirmed.status).toBe(200);
      const log = confirmed.body.result?.data as SyncLog;
      expect(log).toMatchObject({
        syncType: 'manual',
        triggeredBy: f.users.orgAdminOwn,
        recordsTotal: 2,
        payloadSummary: {
          formatVersion: '1',
          parentSyncId: parent.id,
          recordIds: [unverifiedId, refusedId],
          confirmedUnposted: true,
        },
      });
      const fetched = await f.query('syncLogs.get', { id: log.id }, 'orgAdminOwn');
      expect((fetched.body.result?.data as SyncLog | undefined)?.payloadSummary?.confirmedUnposted).toBe(
        true,
      );
      await f.db.syncLogs.fail({
        id: log.id,
        errorDetails: { code: 'CANCELLED', message: 'test', category: 'unknown', retryable: false },
      });
    });

    it('refuses a confirmation when the sync left nothing unverified, naming the rule and the field', async () => {
      const { syncLog } = await f.db.syncLogs.create({
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        periodStart: '2026-09-01T00:00:00.000Z',
        periodEnd: '2026-09-30T23:59:59.999Z',
      });
      await f.db.syncLogs.start(syncLog.id);
      await f.db.syncLogs.complete({
        id: syncLog.id,
        recordsSynced: 0,
        recordsFailed: 1,
        errorDetails: {
          code: 'RECORDS_REJECTED',
          message: '1 rejected',
          category: 'validation',
          retryable: false,
          recordFailures: [{ recordId: refusedId, code: 'INVALID_VALUE', reason: 'closed' }],
        },
      });
      const before = (await f.db.syncLogs.list({ organizationId: f.orgId, limit: 200 })).items.length;
      const refused = await f.mutate(
        'resync.start',
        { syncLogId: syncLog.id, confirmUnposted: true },
        'orgAdminOwn',
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error?.data.domainCode).toBe('VALIDATION_FAILED');
      expect(refused.body.error?.data.issues).toEqual([
        expect.objectContaining({ rule: 'confirm_unposted_needs_unverified', path: ['confirmUnposted'] }),
      ]);
      expect((await f.db.syncLogs.list({ organizationId: f.orgId, limit: 200 })).items.length).toBe(before);
      const wrongType = await f.mutate(
        'resync.start',
        { syncLogId: syncLog.id, confirmUnposted: 'yes' },
        'orgAdminOwn',
      );
      expect(wrongType.status).toBe(400);
    });

    it('shows the ledger requests on the sync and counts them per system and kind in /metrics', async () => {
      const got = await f.query('syncLogs.get', { id: parent.id }, 'orgAdminOwn');
      expect((got.body.result?.data as SyncLog | undefined)?.payloadSummary?.ledgerRequests).toEqual({
        reads: 9,
        writes: 4,
      });
      const text = await (await f.app.request('/metrics')).text();
      // The cancelled re-syncs recorded no requests: the counters hold the one sync's figures.
      expect(text).toContain('# TYPE meander_ledger_requests_total counter');
      expect(text).toContain('meander_ledger_requests_total{system="xledger",kind="read"} 9');
      expect(text).toContain('meander_ledger_requests_total{system="xledger",kind="write"} 4');
      expect(text).toContain('meander_ledger_requests_total{system="dynamics",kind="read"} 0');
      expect(text).toContain('meander_unverified_postings{system="xledger"} 1');
    });
  },
);
