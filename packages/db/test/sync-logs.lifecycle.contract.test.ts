import { DomainError, type SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncRunnerOf } from '../src/store/runner-of.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe.each(DIALECTS)('sync log lifecycle on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('creates a pending row with every spec field', async () => {
    const org = await givenOrganization(t.db);
    const triggeredBy = '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f';
    const { syncLog, replayed } = await t.db.syncLogs.create(
      aCreateCommand(org.id, {
        syncType: 'manual',
        triggeredBy,
        payloadSummary: { formatVersion: '1', recordCount: 10 },
      }),
      { now: '2026-11-01T10:00:00.000Z' },
    );
    expect(replayed).toBe(false);
    expect(syncLog).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'manual',
      status: 'pending',
      triggeredBy,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T23:59:59.999Z',
      recordsTotal: 10,
      recordsSynced: 0,
      recordsFailed: 0,
      payloadSummary: { formatVersion: '1', recordCount: 10 },
      errorDetails: null,
      externalReferenceId: null,
      startedAt: '2026-11-01T10:00:00.000Z',
      completedAt: null,
      createdAt: '2026-11-01T10:00:00.000Z',
    } satisfies SyncLog);
    expect(await t.db.syncLogs.get(syncLog.id)).toEqual(syncLog);
  });

  it('runs pending → in_progress → success and seals the row', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), {
      now: '2026-11-01T10:00:00.000Z',
    });
    const started = await t.db.syncLogs.start(syncLog.id, {
      workerId: 'w1',
      now: '2026-11-01T10:00:01.000Z',
    });
    expect(started.status).toBe('in_progress');
    expect(started.startedAt).toBe('2026-11-01T10:00:01.000Z');
    const progressed = await t.db.syncLogs.reportProgress({
      id: syncLog.id,
      recordsSynced: 4,
      recordsFailed: 0,
    });
    expect(progressed.recordsSynced).toBe(4);
    const done = await t.db.syncLogs.complete(
      { id: syncLog.id, recordsSynced: 10, recordsFailed: 0, externalReferenceId: '900001' },
      { now: '2026-11-01T10:00:05.000Z' },
    );
    expect(done.syncLog.status).toBe('success');
    expect(done.warnings).toEqual([]);
    const stored = await t.db.syncLogs.get(syncLog.id);
    expect(stored).toMatchObject({
      status: 'success',
      recordsSynced: 10,
      completedAt: '2026-11-01T10:00:05.000Z',
      externalReferenceId: '900001',
    });
    const chain = await t.db.syncLogs.verifyChain(org.id);
    expect(chain).toMatchObject({ ok: true, checked: 1, breaks: [] });
  });

  it('decides partial on a count mismatch and keeps the warning', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    await t.db.syncLogs.start(syncLog.id);
    const done = await t.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 7,
      recordsFailed: 0,
      externalReferenceId: 'not-numeric',
    });
    expect(done.syncLog.status).toBe('partial');
    expect(done.warnings.map((w) => w.rule).sort()).toEqual([
      'external_reference_id_format',
      'records_count_consistency',
    ]);
    const stored = await t.db.syncLogs.get(syncLog.id);
    expect(stored?.errorDetails?.warnings?.map((w) => w.rule).sort()).toEqual([
      'external_reference_id_format',
      'records_count_consistency',
    ]);
    expect(stored?.externalReferenceId).toBe('not-numeric');
  });

  it('refuses a partial completion without error details and writes nothing', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    await t.db.syncLogs.start(syncLog.id);
    expect(await codeOf(t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 8, recordsFailed: 2 }))).toBe(
      'ERROR_DETAILS_REQUIRED',
    );
    expect((await t.db.syncLogs.get(syncLog.id))?.status).toBe('in_progress');
    expect(await codeOf(t.db.syncLogs.fail({ id: syncLog.id }))).toBe('ERROR_DETAILS_REQUIRED');
    expect((await t.db.syncLogs.get(syncLog.id))?.status).toBe('in_progress');
  });

  it('keeps terminal rows immutable through every write', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    const failure = { code: 'X', message: 'boom', category: 'unknown' as const, retryable: false };
    await t.db.syncLogs.fail({ id: syncLog.id, errorDetails: failure });
    const before = await t.db.syncLogs.get(syncLog.id);
    expect(before?.status).toBe('failed');
    expect(await codeOf(t.db.syncLogs.start(syncLog.id))).toBe('RECORD_IMMUTABLE');
    expect(
      await codeOf(t.db.syncLogs.reportProgress({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 })),
    ).toBe('RECORD_IMMUTABLE');
    expect(
      await codeOf(t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 })),
    ).toBe('RECORD_IMMUTABLE');
    expect(await codeOf(t.db.syncLogs.fail({ id: syncLog.id, errorDetails: failure }))).toBe(
      'RECORD_IMMUTABLE',
    );
    expect(await codeOf(t.db.syncLogs.heartbeat(syncLog.id))).toBe('RECORD_IMMUTABLE');
    expect(await t.db.syncLogs.get(syncLog.id)).toEqual(before);
  });

  it('refuses invalid transitions', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    expect(
      await codeOf(t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 })),
    ).toBe('INVALID_STATUS_TRANSITION');
    await t.db.syncLogs.start(syncLog.id);
    expect(await codeOf(t.db.syncLogs.start(syncLog.id))).toBe('INVALID_STATUS_TRANSITION');
  });

  it('enforces one active sync per organization, and frees it on a terminal state', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    expect(await codeOf(t.db.syncLogs.create(aCreateCommand(org.id)))).toBe('SYNC_ALREADY_ACTIVE');
    expect((await t.db.syncLogs.getActive(org.id))?.id).toBe(syncLog.id);
    await t.db.syncLogs.fail({
      id: syncLog.id,
      errorDetails: { code: 'CANCELLED', message: 'cancelled', category: 'unknown', retryable: false },
    });
    const next = await t.db.syncLogs.create(aCreateCommand(org.id));
    expect(next.syncLog.status).toBe('pending');
  });

  it('refuses unknown and disabled organizations, and bad input, writing nothing', async () => {
    const disabled = await givenOrganization(t.db, { enabled: false });
    expect(await codeOf(t.db.syncLogs.create(aCreateCommand('7d0c2f55-1a8b-4c3e-9f6a-5b4d3c2e1f00')))).toBe(
      'ORGANIZATION_NOT_FOUND',
    );
    expect(await codeOf(t.db.syncLogs.create(aCreateCommand(disabled.id)))).toBe(
      'ACCOUNTING_MODULE_DISABLED',
    );
    const org = await givenOrganization(t.db);
    const reversed = aCreateCommand(org.id, {
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-10-01T00:00:00.000Z',
    });
    try {
      await t.db.syncLogs.create(reversed);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('VALIDATION_FAILED');
      expect((error as DomainError).issues[0]).toMatchObject({
        rule: 'period_end_after_period_start',
        path: ['periodEnd'],
      });
    }
    expect(await codeOf(t.db.syncLogs.create(aCreateCommand(org.id, { recordsTotal: -1 })))).toBe(
      'VALIDATION_FAILED',
    );
    expect(await codeOf(t.db.syncLogs.create(aCreateCommand(org.id, { accountingSystem: 'dynamics' })))).toBe(
      'VALIDATION_FAILED',
    );
    expect((await t.db.syncLogs.list({ organizationId: org.id })).items).toHaveLength(0);
  });

  it('replays an idempotency key with the same body and refuses a different body', async () => {
    const org = await givenOrganization(t.db);
    const first = await t.db.syncLogs.create(aCreateCommand(org.id, { idempotencyKey: 'push-1' }));
    const again = await t.db.syncLogs.create(aCreateCommand(org.id, { idempotencyKey: 'push-1' }));
    expect(again.replayed).toBe(true);
    expect(again.syncLog.id).toBe(first.syncLog.id);
    expect(
      await codeOf(
        t.db.syncLogs.create(aCreateCommand(org.id, { idempotencyKey: 'push-1', recordsTotal: 11 })),
      ),
    ).toBe('IDEMPOTENCY_KEY_CONFLICT');
  });

  it('claims the oldest pending sync once', async () => {
    const a = await givenOrganization(t.db);
    const b = await givenOrganization(t.db);
    const first = await t.db.syncLogs.create(aCreateCommand(a.id), { now: '2000-01-01T00:00:00.000Z' });
    await t.db.syncLogs.create(aCreateCommand(b.id), { now: '2000-01-01T00:00:01.000Z' });
    const claimed = await t.db.syncLogs.claimNextPending('w1');
    expect(claimed?.id).toBe(first.syncLog.id);
    expect(claimed?.status).toBe('in_progress');
    const second = await t.db.syncLogs.claimNextPending('w2');
    expect(second?.organizationId).toBe(b.id);
  });

  it('finds stale in-progress syncs by heartbeat', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), {
      now: '2001-01-01T00:00:00.000Z',
    });
    await t.db.syncLogs.start(syncLog.id, { now: '2001-01-01T00:00:00.000Z' });
    await t.db.syncLogs.heartbeat(syncLog.id, { now: '2001-01-01T00:01:00.000Z' });
    expect((await t.db.syncLogs.findStale('2001-01-01T00:00:30.000Z')).map((s) => s.id)).not.toContain(
      syncLog.id,
    );
    expect((await t.db.syncLogs.findStale('2001-01-01T00:02:00.000Z')).map((s) => s.id)).toContain(
      syncLog.id,
    );
  });

  it('never lets the worker claim a sync an external runner recorded, which that runner then drives', async () => {
    const org = await givenOrganization(t.db);
    // The oldest pending row of the whole table, so a claim that ignored the runner would take it.
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), {
      now: '1990-01-01T00:00:00.000Z',
      runner: 'external',
    });
    expect((await t.db.syncLogs.listClaimable(1_000)).map((s) => s.id)).not.toContain(syncLog.id);
    for (let i = 0; i < 3; i += 1) {
      const claimed = await t.db.syncLogs.claimNextPending(`w${i}`);
      expect(claimed?.id).not.toBe(syncLog.id);
    }
    expect((await t.db.syncLogs.get(syncLog.id))?.status).toBe('pending');
    const started = await t.db.syncLogs.start(syncLog.id, { workerId: 'external-runner' });
    expect(started.status).toBe('in_progress');

    const other = await givenOrganization(t.db);
    const mine = await t.db.syncLogs.create(aCreateCommand(other.id), { now: '1990-01-01T00:00:01.000Z' });
    expect((await t.db.syncLogs.listClaimable(1_000)).map((s) => s.id)).toContain(mine.syncLog.id);
    expect((await t.db.syncLogs.claimNextPending('w9'))?.id).toBe(mine.syncLog.id);
  });

  it('tells who runs a sync, the same for any spelling of its id, and null for no row', async () => {
    const org = await givenOrganization(t.db);
    const external = await t.db.syncLogs.create(aCreateCommand(org.id), { runner: 'external' });
    const other = await givenOrganization(t.db);
    const worker = await t.db.syncLogs.create(aCreateCommand(other.id));
    expect(await syncRunnerOf(t.db, external.syncLog.id)).toBe('external');
    expect(await syncRunnerOf(t.db, worker.syncLog.id)).toBe('worker');
    expect(await syncRunnerOf(t.db, worker.syncLog.id.toUpperCase())).toBe('worker');
    expect(await syncRunnerOf(t.db, '5c6f0e0a-0000-4000-8000-000000000000')).toBeNull();
    expect(await syncRunnerOf(t.db, 'not-a-uuid')).toBeNull();
  });

  it('reports NOT_FOUND for unknown ids', async () => {
    expect(await t.db.syncLogs.get('5c6f0e0a-0000-4000-8000-000000000000')).toBeNull();
    expect(await codeOf(t.db.syncLogs.start('5c6f0e0a-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
  });
});
