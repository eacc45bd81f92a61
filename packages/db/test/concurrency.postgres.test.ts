import { DomainError } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/port.js';
import {
  aCreateCommand,
  createTestDatabase,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawQuery } from './raw-sql.helpers.js';

/** Races that only a real multi-connection server can produce: the constraints settle them. */
describe('PostgreSQL under concurrent writers', () => {
  let t: TestDatabase;
  let handles: Database[];
  beforeAll(async () => {
    t = await createTestDatabase('postgres');
    // Five separate pools of ten connections: as five API processes would race.
    handles = await Promise.all(Array.from({ length: 5 }, () => t.openAnother({ poolSize: 10 })));
  });
  afterAll(async () => {
    await t?.drop();
  });

  const outcome = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'ok';
    } catch (error) {
      if (error instanceof DomainError) return error.code;
      throw error;
    }
  };

  it('50 concurrent creates for one organization → exactly one row, 49 SYNC_ALREADY_ACTIVE', async () => {
    const org = await givenOrganization(t.db);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcome((handles[i % handles.length] as Database).syncLogs.create(aCreateCommand(org.id))),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'SYNC_ALREADY_ACTIVE')).toHaveLength(49);
    const rows = await rawQuery<{ n: string }>(
      t.db.raw,
      'SELECT COUNT(*) AS n FROM accounting_sync_logs WHERE organization_id = ?',
      [org.id],
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('20 concurrent starts of one pending row → one winner', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        outcome((handles[i % handles.length] as Database).syncLogs.start(syncLog.id, { workerId: `w${i}` })),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'INVALID_STATUS_TRANSITION')).toHaveLength(19);
  });

  it('20 concurrent claims of the queue hand each pending row to one worker', async () => {
    const [before] = await rawQuery<{ n: string }>(
      t.db.raw,
      "SELECT COUNT(*) AS n FROM accounting_sync_logs WHERE status = 'pending'",
    );
    const orgs = await Promise.all(Array.from({ length: 8 }, () => givenOrganization(t.db)));
    for (const org of orgs) await t.db.syncLogs.create(aCreateCommand(org.id));
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (handles[i % handles.length] as Database).syncLogs.claimNextPending(`w${i}`),
      ),
    );
    const ids = claims.filter((c) => c !== null).map((c) => c?.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(8 + Number(before?.n));
  });

  // one_active_sync_per_organization means twenty syncs of ONE organization can never be active at
  // once, so the races a chain can really see are: many completions of the same sync, completions
  // racing a deletion, and completions of many organizations at once.
  it('20 concurrent completions of one sync seal it exactly once', async () => {
    const org = await givenOrganization(t.db);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    await t.db.syncLogs.start(syncLog.id);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        outcome(
          (handles[i % handles.length] as Database).syncLogs.complete({
            id: syncLog.id,
            recordsSynced: 10,
            recordsFailed: 0,
          }),
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'RECORD_IMMUTABLE')).toHaveLength(19);
    expect(await t.db.syncLogs.verifyChain(org.id)).toMatchObject({ ok: true, checked: 1 });
  });

  it('completions racing a deletion keep one linear, gap-free chain', async () => {
    const org = await givenOrganization(t.db);
    const finished: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
      await t.db.syncLogs.start(syncLog.id);
      await (handles[i % handles.length] as Database).syncLogs.complete({
        id: syncLog.id,
        recordsSynced: 10,
        recordsFailed: 0,
      });
      finished.push(syncLog.id);
    }
    const { syncLog: last } = await t.db.syncLogs.create(aCreateCommand(org.id));
    await t.db.syncLogs.start(last.id);
    await Promise.all([
      (handles[0] as Database).syncLogs.complete({ id: last.id, recordsSynced: 10, recordsFailed: 0 }),
      (handles[1] as Database).syncLogs.delete(
        {
          id: finished[19] as string,
          reason: 'data subject request #42',
          legalBasis: 'data_subject_request',
        },
        { userId: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f', via: 'audit-log-service' },
      ),
    ]);
    const chain = await t.db.syncLogs.verifyChain(org.id);
    expect(chain).toMatchObject({ ok: true, checked: 21, breaks: [] });
    expect(chain.head?.chainSeq).toBe(21);
  });

  it('twenty organizations completing at once each keep a valid chain', async () => {
    const orgs = await Promise.all(Array.from({ length: 20 }, () => givenOrganization(t.db)));
    const syncs = await Promise.all(
      orgs.map(async (org) => {
        const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
        return t.db.syncLogs.start(syncLog.id);
      }),
    );
    await Promise.all(
      syncs.map((s, i) =>
        (handles[i % handles.length] as Database).syncLogs.complete({
          id: s.id,
          recordsSynced: 10,
          recordsFailed: 0,
        }),
      ),
    );
    for (const org of orgs)
      expect(await t.db.syncLogs.verifyChain(org.id)).toMatchObject({ ok: true, checked: 1 });
  });
});
