import { createHash } from 'node:crypto';
import { canonicalSyncLogJson, DomainError } from '@meander/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../src/store/hash-chain.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawExec, rawQuery } from './raw-sql.helpers.js';

const auditor = { userId: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f', via: 'audit-log-service' };

/** Disable a dialect's triggers around a raw tampering step, as an attacker with DBA rights would. */
async function tamper(t: TestDatabase, statement: string, params: unknown[]): Promise<void> {
  if (t.db.raw.dialect === 'postgres') {
    await rawExec(t.db.raw, 'ALTER TABLE accounting_sync_logs DISABLE TRIGGER USER');
    await rawExec(t.db.raw, statement, params);
    await rawExec(t.db.raw, 'ALTER TABLE accounting_sync_logs ENABLE TRIGGER USER');
    return;
  }
  const triggers = await rawQuery<{ name: string; sql: string }>(
    t.db.raw,
    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounting_sync_logs'",
  );
  for (const tr of triggers) await rawExec(t.db.raw, `DROP TRIGGER ${tr.name}`);
  await rawExec(t.db.raw, statement, params);
  for (const tr of triggers) await rawExec(t.db.raw, tr.sql);
}

describe.each(DIALECTS)('the hash chain on %s', (dialect) => {
  let t: TestDatabase;
  let orgId: string;
  let ids: string[];

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    ids = [];
    for (let i = 0; i < 5; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(orgId));
      await t.db.syncLogs.start(syncLog.id);
      if (i === 2) {
        await t.db.syncLogs.fail({
          id: syncLog.id,
          errorDetails: { code: 'AUTH', message: 'bad token', category: 'auth', retryable: false },
        });
      } else {
        await t.db.syncLogs.complete({
          id: syncLog.id,
          recordsSynced: 10,
          recordsFailed: 0,
          externalReferenceId: `${1000 + i}`,
        });
      }
      ids.push(syncLog.id);
    }
  });
  afterEach(async () => {
    await t?.drop();
  });

  it('verifies an untouched chain', async () => {
    const result = await t.db.syncLogs.verifyChain(orgId);
    expect(result).toMatchObject({ ok: true, checked: 5, breaks: [] });
    expect(result.head?.chainSeq).toBe(5);
  });

  it('can be recomputed by an auditor from the documented recipe', async () => {
    let prev = GENESIS_HASH;
    for await (const page of t.db.syncLogs.streamSealed(
      orgId,
      '2000-01-01T00:00:00.000Z',
      '2100-01-01T00:00:00.000Z',
    )) {
      for (const row of page) {
        const { chainSeq: _s, prevHash, chainHash, ...spec } = row;
        expect(prevHash).toBe(prev);
        const recomputed = createHash('sha256')
          .update(`${prev}\n${canonicalSyncLogJson(spec)}`)
          .digest('hex');
        expect(recomputed).toBe(chainHash);
        prev = chainHash;
      }
    }
  });

  it('reports a row altered by raw SQL at its exact position', async () => {
    // A forged reference: every CHECK still holds, only the seal can tell.
    await tamper(t, "UPDATE accounting_sync_logs SET external_reference_id = 'FORGED-1' WHERE id = ?", [
      ids[3],
    ]);
    const result = await t.db.syncLogs.verifyChain(orgId);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ chainSeq: 4, syncLogId: ids[3], kind: 'altered' }),
    ]);
  });

  it('reports a row removed by raw SQL as missing', async () => {
    await tamper(t, 'DELETE FROM accounting_sync_logs WHERE id = ?', [ids[1]]);
    const result = await t.db.syncLogs.verifyChain(orgId);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([expect.objectContaining({ chainSeq: 2, kind: 'missing' })]);
  });

  it('still verifies after a proper deletion, whose tombstone keeps no personal data', async () => {
    const deletion = await t.db.syncLogs.delete(
      { id: ids[2] as string, reason: 'Data subject request 2026-118', legalBasis: 'data_subject_request' },
      auditor,
    );
    expect(deletion).toMatchObject({
      syncLogId: ids[2],
      chainSeq: 3,
      legalBasis: 'data_subject_request',
      deletedBy: auditor.userId,
    });
    expect(await t.db.syncLogs.get(ids[2] as string)).toBeNull();
    expect(await t.db.syncLogs.verifyChain(orgId)).toMatchObject({ ok: true, checked: 5 });
    const [row] = await rawQuery<{ redacted_row: unknown }>(
      t.db.raw,
      'SELECT redacted_row FROM accounting_sync_log_deletions WHERE sync_log_id = ?',
      [ids[2]],
    );
    const text = typeof row?.redacted_row === 'string' ? row.redacted_row : JSON.stringify(row?.redacted_row);
    expect(text).not.toContain('bad token');
    expect(text).not.toContain('triggeredBy');
    expect((await t.db.syncLogs.listDeletions(orgId)).map((d) => d.syncLogId)).toEqual([ids[2]]);
    // The next seal continues after the tombstone's position.
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(orgId));
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 });
    expect(await t.db.syncLogs.verifyChain(orgId)).toMatchObject({
      ok: true,
      checked: 6,
      head: { chainSeq: 6 },
    });
  });

  it('refuses to delete an unknown row', async () => {
    await expect(
      t.db.syncLogs.delete(
        { id: '5c6f0e0a-0000-4000-8000-000000000000', reason: 'cleanup', legalBasis: 'compliance' },
        auditor,
      ),
    ).rejects.toSatisfy((e: unknown) => e instanceof DomainError && e.code === 'NOT_FOUND');
  });
});
