import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CheckpointConflictError,
  Checkpointer,
  CheckpointSigner,
  checkpointSignatureValid,
  type SignedCheckpoint,
  verifyAgainstCheckpoint,
  withCheckpoints,
} from '../src/checkpoints/index.js';
import { chainHash } from '../src/store/hash-chain.js';
import type { Database } from '../src/store/port.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawError, rawExec, rawQuery } from './raw-sql.helpers.js';

/** Run raw statements with the sync-log and checkpoint triggers off, as a database owner could. */
async function asDatabaseOwner(t: TestDatabase, statements: [string, unknown[]][]): Promise<void> {
  const tables = ['accounting_sync_logs', 'audit_checkpoints'];
  if (t.db.raw.dialect === 'postgres') {
    for (const table of tables) await rawExec(t.db.raw, `ALTER TABLE ${table} DISABLE TRIGGER USER`);
    for (const [s, p] of statements) await rawExec(t.db.raw, s, p);
    for (const table of tables) await rawExec(t.db.raw, `ALTER TABLE ${table} ENABLE TRIGGER USER`);
    return;
  }
  const triggers = await rawQuery<{ name: string; sql: string }>(
    t.db.raw,
    `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('accounting_sync_logs', 'audit_checkpoints')`,
  );
  for (const tr of triggers) await rawExec(t.db.raw, `DROP TRIGGER ${tr.name}`);
  for (const [s, p] of statements) await rawExec(t.db.raw, s, p);
  for (const tr of triggers) await rawExec(t.db.raw, tr.sql);
}

describe.each(DIALECTS)('signed checkpoints on %s', (dialect) => {
  let t: TestDatabase;
  let signer: CheckpointSigner;
  let checkpointer: Checkpointer;
  let db: Database;
  let orgId: string;
  let ids: string[];

  const seal = async (i: number) => {
    const { syncLog } = await db.syncLogs.create(aCreateCommand(orgId));
    await db.syncLogs.start(syncLog.id);
    await db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 10,
      recordsFailed: 0,
      externalReferenceId: `${1000 + i}`,
    });
    ids.push(syncLog.id);
  };
  const verify = (given?: SignedCheckpoint, organizationId = orgId) =>
    verifyAgainstCheckpoint(db, organizationId, { given, trustedPublicKey: signer.publicKeyPem });

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    signer = CheckpointSigner.generate();
    checkpointer = new Checkpointer(t.db, signer);
    db = withCheckpoints(t.db, checkpointer);
    orgId = (await givenOrganization(db)).id;
    ids = [];
    for (let i = 0; i < 4; i += 1) await seal(i);
  });
  afterEach(async () => {
    checkpointer.stop();
    await t?.drop();
  });

  it('signs the chain head after every seal, with a signature the public key verifies', async () => {
    const latest = await db.checkpoints.latest(orgId);
    const head = await db.syncLogs.verifyChain(orgId);
    expect(latest).toMatchObject({ organizationId: orgId, seq: 4, count: 4, hash: head.head?.chainHash });
    expect(checkpointSignatureValid(latest as SignedCheckpoint, signer.publicKeyPem)).toBe(true);
    expect(checkpointSignatureValid({ ...(latest as SignedCheckpoint), seq: 3 })).toBe(false);
    const rows = await rawQuery<{ n: number }>(t.db.raw, 'SELECT COUNT(*) AS n FROM audit_checkpoints');
    expect(Number(rows[0]?.n)).toBe(4);
    expect(await verify()).toMatchObject({ ok: true, checked: 4, breaks: [], unsignedLinks: 0 });
  });

  it('counts only the links after its own last checkpoint, not the whole chain, on every seal', async () => {
    const counted: [number, number | undefined][] = [];
    const reads: string[] = [];
    const store = Object.create(t.db.checkpoints) as typeof t.db.checkpoints;
    store.countLinks = (organizationId, uptoSeq, afterSeq) => {
      counted.push([uptoSeq, afterSeq]);
      return t.db.checkpoints.countLinks(organizationId, uptoSeq, afterSeq);
    };
    store.signingState = async (organizationId) => {
      const state = await t.db.checkpoints.signingState(organizationId);
      reads.push(`after #${state.latest?.seq}: ${state.linksAfter}`);
      return state;
    };
    const fresh = new Checkpointer({ checkpoints: store }, signer);
    db = withCheckpoints(t.db, fresh);
    await seal(4);
    await seal(5);
    // The first signing of this process counts the chain; the next one carries its own count on,
    // adding the links after its checkpoint that the signing read returned.
    expect(counted).toEqual([[5, undefined]]);
    expect(reads).toEqual(['after #4: 1', 'after #5: 1']);
    const latest = await db.checkpoints.latest(orgId);
    expect(latest).toMatchObject({ seq: 6, count: 6 });
    expect(await verify()).toMatchObject({ ok: true, checked: 6, breaks: [] });
    // Another signer's checkpoint in between is not taken on trust: the whole chain is counted.
    const other = new Checkpointer(t.db, CheckpointSigner.generate());
    await other.checkpoint(orgId);
    counted.length = 0;
    await seal(6);
    expect(counted).toEqual([[7, undefined]]);
    fresh.stop();
    other.stop();
  });

  it('a seal costs two statements once the process signed the previous head: one read, one append', async () => {
    const calls: string[] = [];
    const store = Object.create(t.db.checkpoints) as typeof t.db.checkpoints;
    for (const method of ['latest', 'head', 'hashAt', 'countLinks', 'signingState', 'append'] as const) {
      // biome-ignore lint/suspicious/noExplicitAny: a spy forwarding whatever the method takes
      const original = (t.db.checkpoints[method] as (...args: any[]) => unknown).bind(t.db.checkpoints);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      (store as any)[method] = (...args: unknown[]) => {
        calls.push(method);
        return original(...args);
      };
    }
    const fresh = new Checkpointer({ checkpoints: store }, signer);
    db = withCheckpoints(t.db, fresh);
    await seal(4);
    calls.length = 0;
    await seal(5);
    await seal(6);
    expect(calls).toEqual(['signingState', 'append', 'signingState', 'append']);
    // The head already signed: one read, nothing written.
    calls.length = 0;
    const again = await fresh.checkpoint(orgId);
    expect(calls).toEqual(['signingState']);
    expect(again).toMatchObject({ seq: 7, count: 7 });
    expect(await verify()).toMatchObject({ ok: true, checked: 7, breaks: [] });
    fresh.stop();
  });

  it('the signing read is one snapshot of the checkpoint, the head, the checkpointed hash and the links after it', async () => {
    const head = (await db.syncLogs.verifyChain(orgId)).head;
    const state = await t.db.checkpoints.signingState(orgId);
    expect(state).toMatchObject({
      latest: { organizationId: orgId, seq: 4, count: 4, hash: head?.chainHash },
      head: { seq: 4, hash: head?.chainHash },
      hashThen: head?.chainHash,
      linksAfter: 0,
    });
    // Seals made while no signer ran: the links after the checkpoint, and the head moved on.
    for (let i = 0; i < 3; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(orgId));
      await t.db.syncLogs.start(syncLog.id);
      await t.db.syncLogs.complete({
        id: syncLog.id,
        recordsSynced: 1,
        recordsFailed: 0,
        externalReferenceId: `${2000 + i}`,
      });
    }
    const later = await t.db.checkpoints.signingState(orgId);
    expect(later).toMatchObject({
      latest: { seq: 4 },
      head: { seq: 7 },
      hashThen: head?.chainHash,
      linksAfter: 3,
    });
    // An organization without a chain or a checkpoint.
    const empty = await givenOrganization(t.db);
    expect(await t.db.checkpoints.signingState(empty.id)).toEqual({
      latest: null,
      head: null,
      hashThen: null,
      linksAfter: 0,
    });
  });

  it('carries the counts of the organizations it signed last only, so its memory does not grow with every organization', async () => {
    const counted: [string, number, number | undefined][] = [];
    const store = Object.create(t.db.checkpoints) as typeof t.db.checkpoints;
    store.countLinks = (organizationId, uptoSeq, afterSeq) => {
      counted.push([organizationId, uptoSeq, afterSeq]);
      return t.db.checkpoints.countLinks(organizationId, uptoSeq, afterSeq);
    };
    const fresh = new Checkpointer({ checkpoints: store }, signer, { carriedCounts: 2 });
    db = withCheckpoints(t.db, fresh);
    const first = orgId;
    const others = [(await givenOrganization(db)).id, (await givenOrganization(db)).id];
    await seal(4); // the first organization's count is carried…
    for (const other of others) {
      orgId = other;
      await seal(0);
    }
    // …until two organizations signed after it pushed it out; theirs are still carried.
    expect(fresh.carriedCounts).toBe(2);
    counted.length = 0;
    orgId = first;
    await seal(5);
    orgId = others[1] as string;
    await seal(1);
    // The first is counted whole; the carried one adds the links after its checkpoint, which the
    // signing read returns (no count of its own).
    expect(counted).toEqual([[first, 6, undefined]]);
    orgId = first;
    expect(await db.checkpoints.latest(first)).toMatchObject({ seq: 6, count: 6 });
    expect(await verify()).toMatchObject({ ok: true, checked: 6, breaks: [] });
    fresh.stop();
  });

  it('a link removed below its last checkpoint is never re-signed away: the next checkpoint keeps the count', async () => {
    await asDatabaseOwner(t, [['DELETE FROM accounting_sync_logs WHERE id = ?', [ids[1]]]]);
    await seal(4);
    const latest = await db.checkpoints.latest(orgId);
    expect(latest).toMatchObject({ seq: 5, count: 5 });
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind)).toContain('count_mismatch');
  });

  it('the database never holds the private key', async () => {
    const rows = await rawQuery<Record<string, unknown>>(t.db.raw, 'SELECT * FROM audit_checkpoints');
    expect(JSON.stringify(rows)).not.toContain('PRIVATE KEY');
    expect(rows[0]).toHaveProperty('public_key');
  });

  it('the checkpoint log is append-only', async () => {
    expect(await rawError(t.db.raw, 'UPDATE audit_checkpoints SET seq = 9')).toMatch(/RECORD_IMMUTABLE/);
    expect(await rawError(t.db.raw, 'DELETE FROM audit_checkpoints')).toMatch(/RECORD_IMMUTABLE/);
    if (dialect === 'postgres') {
      expect(await rawError(t.db.raw, 'TRUNCATE audit_checkpoints')).toMatch(/cannot be truncated/);
    }
  });

  it('refuses to remove all sync logs at once (TRUNCATE on PostgreSQL, DELETE without WHERE on SQLite)', async () => {
    if (dialect === 'postgres') {
      expect(await rawError(t.db.raw, 'TRUNCATE accounting_sync_logs')).toMatch(/cannot be truncated/);
      expect(await rawError(t.db.raw, 'TRUNCATE accounting_sync_log_deletions')).toMatch(
        /cannot be truncated/,
      );
      expect(await rawError(t.db.raw, 'TRUNCATE organizations CASCADE')).toMatch(/cannot be truncated/);
    }
    expect(await rawError(t.db.raw, 'DELETE FROM accounting_sync_logs')).toMatch(/TOMBSTONE_REQUIRED/);
    const rows = await rawQuery<{ n: number }>(t.db.raw, 'SELECT COUNT(*) AS n FROM accounting_sync_logs');
    expect(Number(rows[0]?.n)).toBe(4);
  });

  it('a truncated chain fails against the latest checkpoint', async () => {
    await asDatabaseOwner(t, [['DELETE FROM accounting_sync_logs WHERE organization_id = ?', [orgId]]]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(0);
    expect(result.breaks).toEqual([
      expect.objectContaining({
        kind: 'truncated',
        chainSeq: 4,
        message: expect.stringContaining('ends at #0'),
      }),
    ]);
  });

  it('a shortened chain (newest rows deleted) fails', async () => {
    await asDatabaseOwner(t, [['DELETE FROM accounting_sync_logs WHERE id IN (?, ?)', [ids[2], ids[3]]]]);
    const plain = await db.syncLogs.verifyChain(orgId);
    expect(plain.ok).toBe(true); // the chain alone cannot tell
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind)).toEqual(['truncated']);
    expect(result.breaks[0]?.message).toContain('ends at #2');
  });

  it('a rewritten and recomputed chain fails', async () => {
    const statements: [string, unknown[]][] = [
      // A rewrite every CHECK still accepts: the ledger's reference for the batch.
      ['UPDATE accounting_sync_logs SET external_reference_id = ? WHERE id = ?', ['999999', ids[1]]],
    ];
    await asDatabaseOwner(t, statements);
    // Recompute from the rewritten row on, with the published recipe.
    let prev = (
      await rawQuery<{ chain_hash: string }>(
        t.db.raw,
        'SELECT chain_hash FROM accounting_sync_logs WHERE id = ?',
        [ids[0]],
      )
    )[0]?.chain_hash as string;
    const rewrites: [string, unknown[]][] = [];
    for (const id of ids.slice(1)) {
      const log = await db.syncLogs.get(id);
      const hash = chainHash(prev, log as NonNullable<typeof log>);
      rewrites.push([
        'UPDATE accounting_sync_logs SET prev_hash = ?, chain_hash = ? WHERE id = ?',
        [prev, hash, id],
      ]);
      prev = hash;
    }
    await asDatabaseOwner(t, rewrites);
    expect((await db.syncLogs.verifyChain(orgId)).ok).toBe(true); // the chain alone cannot tell
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ kind: 'checkpoint_mismatch', chainSeq: 4, actualHash: prev }),
    ]);
    // …and the checkpointer refuses to bless the rewritten head with a new signature.
    await seal(9).catch(() => undefined);
    await expect(checkpointer.checkpoint(orgId)).rejects.toBeInstanceOf(CheckpointConflictError);
  });

  it('an organization that never existed fails, naming it', async () => {
    const missing = '7f000000-0000-4000-8000-000000000001';
    const result = await verify(undefined, missing);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ kind: 'organization_not_found', message: expect.stringContaining(missing) }),
    ]);
  });

  it('an emptied checkpoint log with a chain present fails', async () => {
    await asDatabaseOwner(t, [['DELETE FROM audit_checkpoints WHERE organization_id = ?', [orgId]]]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind)).toEqual(['checkpoint_missing']);
  });

  it('a checkpoint forged with another key is not trusted; a tampered signature does not verify', async () => {
    const latest = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    const forged = CheckpointSigner.generate().sign({ ...latest, seq: 5, count: 5 });
    await db.checkpoints.append(forged);
    expect((await verify()).breaks.map((b) => b.kind)).toContain('checkpoint_untrusted');
    const tampered = { ...latest, count: 3 };
    expect((await verify(tampered)).breaks.map((b) => b.kind)).toEqual(['checkpoint_signature_invalid']);
  });

  it('a checkpoint held outside the database catches truncation after the log was emptied too', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    await asDatabaseOwner(t, [
      ['DELETE FROM accounting_sync_logs WHERE id IN (?, ?)', [ids[2], ids[3]]],
      ['DELETE FROM audit_checkpoints WHERE seq > 2', []],
    ]);
    expect((await verify()).ok).toBe(true); // what the database alone still says
    const result = await verify(handed);
    expect(result).toMatchObject({ ok: false, checkpointSource: 'given' });
    expect(result.breaks.map((b) => b.kind)).toEqual(['checkpoint_log_shortened', 'truncated']);
  });

  // The outside probe (issue 23): an emptied log verified `ok: true` without a word when an outside
  // checkpoint was given, because only the given one was consulted.
  it('an emptied checkpoint log is a finding even when an outside checkpoint is given', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    expect((await verify(handed)).ok).toBe(true);
    await asDatabaseOwner(t, [['DELETE FROM audit_checkpoints WHERE organization_id = ?', [orgId]]]);
    const result = await verify(handed);
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({
        kind: 'checkpoint_log_emptied',
        message: expect.stringContaining('emptied'),
      }),
    ]);
  });

  // A manifest kept from before a key rotation is signed by the previous key: handing it over must
  // not hide what the database alone reports (`checkpoint_missing`) once the log was emptied.
  it('an emptied checkpoint log is a finding when the outside checkpoint was signed before a key rotation', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    const rotated = CheckpointSigner.generate();
    await asDatabaseOwner(t, [['DELETE FROM audit_checkpoints WHERE organization_id = ?', [orgId]]]);
    const result = await verifyAgainstCheckpoint(db, orgId, {
      given: handed,
      trustedPublicKey: rotated.publicKeyPem,
    });
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind)).toEqual(['checkpoint_log_emptied']);
    expect(result.warnings.join(' ')).toContain('not by the product');
  });

  it('a shortened checkpoint log is a finding when an outside checkpoint is given, the chain intact', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    await asDatabaseOwner(t, [
      ['DELETE FROM audit_checkpoints WHERE organization_id = ? AND seq > 1', [orgId]],
    ]);
    const result = await verify(handed);
    expect(result.breaks.map((b) => b.kind)).toEqual(['checkpoint_log_shortened']);
  });

  // README "What the database owner can and cannot do undetected": the two rows only an outside
  // checkpoint catches.
  it('everything of an organization deleted (rows, checkpoints, tombstones) is caught only by an outside checkpoint', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    await asDatabaseOwner(t, [
      ['DELETE FROM accounting_sync_logs WHERE organization_id = ?', [orgId]],
      ['DELETE FROM audit_checkpoints WHERE organization_id = ?', [orgId]],
    ]);
    expect(await verify()).toMatchObject({ ok: true, checked: 0 }); // what the database alone says
    const result = await verify(handed);
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind).sort()).toEqual(['checkpoint_log_emptied', 'truncated']);
  });

  it('after a restart on an emptied log the product signs the head it finds; only an outside checkpoint catches the past', async () => {
    const handed = (await db.checkpoints.latest(orgId)) as SignedCheckpoint;
    await asDatabaseOwner(t, [
      ['DELETE FROM accounting_sync_logs WHERE id IN (?, ?)', [ids[2], ids[3]]],
      ['DELETE FROM audit_checkpoints WHERE organization_id = ?', [orgId]],
    ]);
    const restarted = new Checkpointer(t.db, signer);
    await restarted.catchUp();
    restarted.stop();
    expect(await db.checkpoints.latest(orgId)).toMatchObject({ seq: 2, count: 2 });
    expect((await verify()).ok).toBe(true);
    const result = await verify(handed);
    expect(result.ok).toBe(false);
    expect(result.breaks.map((b) => b.kind)).toEqual(['checkpoint_log_shortened', 'truncated']);
  });

  it('checkpoints an empty chain as seq 0, and a later seal extends it', async () => {
    const fresh = (await givenOrganization(db)).id;
    const empty = await checkpointer.checkpoint(fresh);
    expect(empty).toMatchObject({ seq: 0, count: 0, hash: '0'.repeat(64) });
    const again = await checkpointer.checkpoint(fresh);
    expect(again.at).toBe(empty.at);
    orgId = fresh;
    await seal(1);
    expect(await db.checkpoints.latest(fresh)).toMatchObject({ seq: 1, count: 1 });
    expect((await verify()).ok).toBe(true);
  });
});
