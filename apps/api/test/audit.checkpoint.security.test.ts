import { CheckpointSigner, checkpointSignatureValid, type SignedCheckpoint } from '@meander/db';
import { DIALECTS } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, createApiFixture, dataOf, PERIOD } from './fixtures.js';

interface Verification {
  ok: boolean;
  checked: number;
  breaks: { kind: string; chainSeq: number; message: string }[];
  checkpoint: SignedCheckpoint | null;
  checkpointSource: string | null;
}

describe.each(DIALECTS)('signed checkpoints through the API on %s', (dialect) => {
  let f: ApiFixture;
  const ids: string[] = [];

  beforeAll(async () => {
    f = await createApiFixture(dialect);
    for (let i = 0; i < 3; i += 1) {
      const { syncLog } = await f.db.syncLogs.create({
        organizationId: f.orgId,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 1,
        ...PERIOD,
      });
      await f.db.syncLogs.start(syncLog.id);
      await f.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
      ids.push(syncLog.id);
    }
  });
  afterAll(async () => {
    await f?.drop();
  });

  it('audit.checkpoint returns the signed head; the signature verifies with its public key', async () => {
    const cp = dataOf<SignedCheckpoint>(
      await f.query('audit.checkpoint', { organizationId: f.orgId }, 'orgAdminOwn'),
    );
    expect(cp).toMatchObject({ organizationId: f.orgId, seq: 3, count: 3 });
    expect(cp.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(checkpointSignatureValid(cp)).toBe(true);
    expect((await f.query('audit.checkpoint', { organizationId: f.orgId }, 'orgAdminOther')).status).toBe(
      403,
    );
    expect(
      (
        await f.query(
          'audit.checkpoint',
          { organizationId: '7f000000-0000-4000-8000-000000000001' },
          'globalAdmin',
        )
      ).body.error?.data.domainCode,
    ).toBe('ORGANIZATION_NOT_FOUND');
  });

  it('evidence carries the checkpoint in its manifest', async () => {
    const evidence = dataOf<{ manifest: { checkpoint: SignedCheckpoint; checkpointRecipe: string } }>(
      await f.query(
        'audit.evidence',
        { organizationId: f.orgId, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' },
        'orgAdminOwn',
      ),
    );
    expect(evidence.manifest.checkpoint).toMatchObject({ seq: 3, count: 3 });
    expect(checkpointSignatureValid(evidence.manifest.checkpoint)).toBe(true);
    expect(evidence.manifest.checkpointRecipe).toContain('Ed25519');
  });

  it('audit.verify of an organization that never existed is not ok and says so', async () => {
    const missing = '7f000000-0000-4000-8000-000000000002';
    const result = dataOf<Verification>(
      await f.query('audit.verify', { organizationId: missing }, 'globalAdmin'),
    );
    expect(result.ok).toBe(false);
    expect(result.breaks).toEqual([
      expect.objectContaining({ kind: 'organization_not_found', message: expect.stringContaining(missing) }),
    ]);
  });

  it('a chain shortened by the database owner fails audit.verify; a handed checkpoint is checked too', async () => {
    const handed = dataOf<SignedCheckpoint>(
      await f.query('audit.checkpoint', { organizationId: f.orgId }, 'orgAdminOwn'),
    );
    const ok = dataOf<Verification>(
      await f.query('audit.verify', { organizationId: f.orgId, checkpoint: handed }, 'orgAdminOwn'),
    );
    expect(ok).toMatchObject({ ok: true, checked: 3, checkpointSource: 'given' });
    if (f.db.raw.dialect === 'postgres') {
      const sql = f.db.raw.sql;
      await sql.unsafe('ALTER TABLE accounting_sync_logs DISABLE TRIGGER USER');
      await sql.unsafe('DELETE FROM accounting_sync_logs WHERE id = $1', [ids[2] as string]);
      await sql.unsafe('ALTER TABLE accounting_sync_logs ENABLE TRIGGER USER');
    } else {
      const c = f.db.raw.connection;
      const triggers = c
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'accounting_sync_logs'",
        )
        .all() as { name: string; sql: string }[];
      for (const tr of triggers) c.exec(`DROP TRIGGER ${tr.name}`);
      c.prepare('DELETE FROM accounting_sync_logs WHERE id = ?').run(ids[2]);
      for (const tr of triggers) c.exec(tr.sql);
    }
    for (const checkpoint of [undefined, handed]) {
      const result = dataOf<Verification>(
        await f.query('audit.verify', { organizationId: f.orgId, checkpoint }, 'orgAdminOwn'),
      );
      expect(result.ok).toBe(false);
      expect(result.breaks).toEqual([
        expect.objectContaining({
          kind: 'truncated',
          chainSeq: 3,
          message: expect.stringContaining('ends at #2'),
        }),
      ]);
    }
    const tampered = { ...handed, seq: 2 };
    const forged = dataOf<Verification>(
      await f.query('audit.verify', { organizationId: f.orgId, checkpoint: tampered }, 'orgAdminOwn'),
    );
    expect(forged.breaks.map((b) => b.kind)).toEqual(['checkpoint_signature_invalid']);
  });

  // Issue 23: this suite never met a checkpoint signed by a key other than the product's.
  it('a stored checkpoint signed by a foreign key is untrusted; a handed one is flagged, not trusted silently', async () => {
    const latest = dataOf<SignedCheckpoint>(
      await f.query('audit.checkpoint', { organizationId: f.orgId }, 'orgAdminOwn'),
    );
    const foreign = CheckpointSigner.generate().sign({
      organizationId: f.orgId,
      seq: latest.seq,
      hash: latest.hash,
      count: latest.count,
      at: new Date(Date.parse(latest.at) + 1_000).toISOString(),
    });
    expect(checkpointSignatureValid(foreign)).toBe(true);
    const handed = dataOf<Verification & { warnings: string[] }>(
      await f.query('audit.verify', { organizationId: f.orgId, checkpoint: foreign }, 'orgAdminOwn'),
    );
    expect(handed.checkpointSource).toBe('given');
    expect(handed.warnings.join(' ')).toMatch(/not by the product's current key/);
    await f.db.checkpoints.append(foreign);
    const stored = dataOf<Verification>(
      await f.query('audit.verify', { organizationId: f.orgId }, 'orgAdminOwn'),
    );
    expect(stored.ok).toBe(false);
    expect(stored.breaks.map((b) => b.kind)).toContain('checkpoint_untrusted');
    expect(stored.breaks.find((b) => b.kind === 'checkpoint_untrusted')?.message).toContain(foreign.keyId);
  });
});
