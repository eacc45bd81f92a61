import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer, withCheckpoints } from '../src/checkpoints/checkpointer.js';
import { CheckpointSigner, deletionSignatureValid } from '../src/checkpoints/signing.js';
import { verifyAgainstCheckpoint } from '../src/checkpoints/verify.js';
import type { Database } from '../src/store/port.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { jsonParam, rawExec, rawQuery } from './raw-sql.helpers.js';

const AUDIT = { userId: '0a0a0a0a-0000-4000-8000-0000000000a1', via: 'audit-log-service' };

/**
 * Issue 23, high: the database owner inserted a deletion record copying a row's chain position and
 * hashes, deleted the row, and every verification passed, crediting the audit-log-service. A
 * deletion made through the product is now signed with the audit key inside its transaction.
 */
describe.each(DIALECTS)('deletions inside the signed chain on %s', (dialect) => {
  let t: TestDatabase;
  let signer: CheckpointSigner;
  let checkpointer: Checkpointer;
  let db: Database;
  let orgId: string;
  const ids: string[] = [];

  const verify = () => verifyAgainstCheckpoint(db, orgId, { trustedPublicKey: signer.publicKeyPem });

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    signer = CheckpointSigner.generate();
    checkpointer = new Checkpointer(t.db, signer);
    db = withCheckpoints(t.db, checkpointer);
    orgId = (await givenOrganization(db)).id;
    ids.length = 0;
    for (let i = 0; i < 3; i += 1) {
      const { syncLog } = await db.syncLogs.create(aCreateCommand(orgId));
      await db.syncLogs.start(syncLog.id);
      await db.syncLogs.complete({ id: syncLog.id, recordsSynced: 10, recordsFailed: 0 });
      ids.push(syncLog.id);
    }
  });
  afterEach(async () => {
    checkpointer.stop();
    await t?.drop();
  });

  /** The database owner: triggers off, a tombstone copied from the row, the row deleted. */
  const forgeDeletion = async (id: string, keepHashes: boolean, signature: string | null = null) => {
    const [row] = await rawQuery<{ chain_seq: number; chain_hash: string; prev_hash: string }>(
      t.db.raw,
      'SELECT chain_seq, chain_hash, prev_hash FROM accounting_sync_logs WHERE id = ?',
      [id],
    );
    const statements: [string, unknown[]][] = [
      [
        `INSERT INTO accounting_sync_log_deletions (sync_log_id, organization_id, deleted_by, deleted_via, deleted_at,
          reason, legal_basis, chain_seq, chain_hash, prev_hash, redacted_row, signature, key_id)
          VALUES (?, ?, ?, 'audit-log-service', '2026-11-02T00:00:00.000Z', 'cleanup', 'compliance', ?, ?, ?, ?, ?, ?)`,
        [
          id,
          orgId,
          AUDIT.userId,
          keepHashes ? row?.chain_seq : null,
          keepHashes ? row?.chain_hash : null,
          keepHashes ? row?.prev_hash : null,
          jsonParam(dialect, { id }),
          signature,
          signature ? signer.keyId : null,
        ],
      ],
      ['DELETE FROM accounting_sync_logs WHERE id = ?', [id]],
    ];
    if (t.db.raw.dialect === 'postgres') {
      await rawExec(t.db.raw, 'ALTER TABLE accounting_sync_logs DISABLE TRIGGER USER');
      for (const [s, p] of statements) await rawExec(t.db.raw, s, p);
      await rawExec(t.db.raw, 'ALTER TABLE accounting_sync_logs ENABLE TRIGGER USER');
      return;
    }
    const triggers = await rawQuery<{ name: string; sql: string }>(
      t.db.raw,
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounting_sync_logs'",
    );
    for (const tr of triggers) await rawExec(t.db.raw, `DROP TRIGGER ${tr.name}`);
    for (const [s, p] of statements) await rawExec(t.db.raw, s, p);
    for (const tr of triggers) await rawExec(t.db.raw, tr.sql);
  };

  it('signs a deletion made through syncLogs.delete, and the chain still verifies', async () => {
    const deletion = await db.syncLogs.delete(
      { id: ids[1] as string, reason: 'DSR ticket 7', legalBasis: 'data_subject_request' },
      AUDIT,
    );
    expect(deletion.keyId).toBe(signer.keyId);
    expect(deletion.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const [stored] = await db.syncLogs.listDeletions(orgId);
    expect(stored).toMatchObject({ syncLogId: ids[1], signature: deletion.signature });
    expect(deletionSignatureValid(stored as never, stored?.signature as string, signer.publicKeyPem)).toBe(
      true,
    );
    const result = await verify();
    expect(result.breaks).toEqual([]);
    expect(result).toMatchObject({ ok: true, checked: 3 });
  });

  it('reports a deletion record the database owner wrote, with the row’s hashes copied', async () => {
    expect((await verify()).ok).toBe(true);
    await forgeDeletion(ids[1] as string, true);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({
        kind: 'deletion_unsigned',
        syncLogId: ids[1],
        message: expect.stringContaining('not made through syncLogs.delete'),
      }),
    ]);
  });

  it('reports one with NULL hashes too', async () => {
    await forgeDeletion(ids[2] as string, false);
    const kinds = (await verify()).breaks.map((b) => b.kind);
    expect(kinds).toContain('deletion_unsigned');
  });

  it('reports a signature copied from another deletion (it covers other facts)', async () => {
    const real = await db.syncLogs.delete(
      { id: ids[0] as string, reason: 'DSR ticket 8', legalBasis: 'data_subject_request' },
      AUDIT,
    );
    await forgeDeletion(ids[1] as string, true, real.signature);
    const result = await verify();
    expect(result.breaks).toEqual([
      expect.objectContaining({ kind: 'deletion_signature_invalid', syncLogId: ids[1] }),
    ]);
  });

  it('leaves an unsigned deletion made by a store without the audit key visible to verify', async () => {
    await t.db.syncLogs.delete(
      { id: ids[0] as string, reason: 'no key here', legalBasis: 'compliance' },
      AUDIT,
    );
    expect((await verify()).breaks.map((b) => b.kind)).toEqual(['deletion_unsigned']);
  });
});
