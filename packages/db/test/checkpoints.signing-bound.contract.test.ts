import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Checkpointer,
  CheckpointSigner,
  signingBoundOf,
  verifyAgainstCheckpoint,
  withCheckpoints,
} from '../src/checkpoints/index.js';
import { processKeysEnvShape, processKeysOf } from '../src/process-keys.js';
import type { Database } from '../src/store/port.js';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rawQuery } from './raw-sql.helpers.js';

/**
 * The signing bound (`AUDIT_CHECKPOINT_INTERVAL_MS`): a chain head sealed within a window of the
 * last signature waits for the window's end, or for `seals` waiting seals, never longer. A clock
 * that stands still keeps every seal inside one window, so only the seal count can close it.
 */
describe.each(DIALECTS)('checkpoints signed within a bound on %s', (dialect) => {
  let t: TestDatabase;
  let signer: CheckpointSigner;
  let orgId: string;

  beforeEach(async () => {
    t = await createTestDatabase(dialect);
    signer = CheckpointSigner.generate();
    orgId = (await givenOrganization(t.db)).id;
  });
  afterEach(async () => {
    await t?.drop();
  });

  const sealWith = (db: Database) => async () => {
    const { syncLog } = await db.syncLogs.create(aCreateCommand(orgId));
    await db.syncLogs.start(syncLog.id);
    await db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
  };
  const signedSeqs = async () =>
    (
      await rawQuery<{ seq: number }>(
        t.db.raw,
        'SELECT seq FROM audit_checkpoints WHERE organization_id = ? ORDER BY seq',
        [orgId],
      )
    ).map((r) => Number(r.seq));
  const verify = () => verifyAgainstCheckpoint(t.db, orgId, { trustedPublicKey: signer.publicKeyPem });

  it('signs the first seal at once and then one checkpoint per `seals` waiting seals', async () => {
    const checkpointer = new Checkpointer(t.db, signer, {
      bound: { intervalMs: 60_000, seals: 5 },
      clock: () => 1_000,
    });
    const seal = sealWith(withCheckpoints(t.db, checkpointer));
    for (let i = 0; i < 11; i += 1) await seal();
    // #1 opens the window; #2–#6 are five waiting seals, so #6 is signed with them; #7–#11 likewise.
    expect(await signedSeqs()).toEqual([1, 6, 11]);
    await seal();
    expect(checkpointer.waitingSeals).toBe(1);
    expect(await verify()).toMatchObject({ ok: true, checked: 12, unsignedLinks: 1 });
    await checkpointer.close();
    expect(await signedSeqs()).toEqual([1, 6, 11, 12]);
    expect(await verify()).toMatchObject({ ok: true, checked: 12, unsignedLinks: 0 });
    expect(checkpointer.waitingSeals).toBe(0);
  });

  it("the window's end signs the seals that waited for it", async () => {
    // The clock stands still, so neither time nor the seal count closes the window: only its
    // timer (150 real milliseconds) can sign the seals that wait.
    const checkpointer = new Checkpointer(t.db, signer, {
      bound: { intervalMs: 150, seals: 100 },
      clock: () => 1_000,
    });
    const seal = sealWith(withCheckpoints(t.db, checkpointer));
    await seal();
    await seal();
    await seal();
    const head = (await t.db.syncLogs.verifyChain(orgId)).head?.chainSeq;
    expect(head).toBe(3);
    await expect.poll(signedSeqs, { timeout: 10_000, interval: 20 }).toContain(3);
    expect((await signedSeqs())[0]).toBe(1);
    // (On a machine slow enough for the timer to fire between two seals, the last one opened
    // another window, whose timer signs the same head again — nothing new, nothing left waiting.)
    await expect.poll(() => checkpointer.waitingSeals, { timeout: 10_000, interval: 20 }).toBe(0);
    checkpointer.stop();
  });

  it('an interval of 0 signs after every seal, as without a bound', async () => {
    expect(signingBoundOf(0)).toBeUndefined();
    expect(signingBoundOf(250)).toEqual({ intervalMs: 250, seals: 100 });
    const checkpointer = new Checkpointer(t.db, signer, { bound: signingBoundOf(0), clock: () => 1_000 });
    const seal = sealWith(withCheckpoints(t.db, checkpointer));
    for (let i = 0; i < 3; i += 1) await seal();
    expect(await signedSeqs()).toEqual([1, 2, 3]);
    checkpointer.stop();
  });

  it('a seal after the window has passed is signed before its call returns', async () => {
    let now = 1_000;
    const checkpointer = new Checkpointer(t.db, signer, {
      bound: { intervalMs: 60_000, seals: 100 },
      clock: () => now,
    });
    const seal = sealWith(withCheckpoints(t.db, checkpointer));
    await seal();
    now += 100;
    await seal();
    expect(await signedSeqs()).toEqual([1]);
    now += 120_000;
    // The window ended in this clock's world (its real-time timer is a minute away): the seal is
    // signed at once, and with it the seal that waited.
    await seal();
    expect(await signedSeqs()).toEqual([1, 3]);
    expect(await verify()).toMatchObject({ ok: true, checked: 3, unsignedLinks: 0 });
    checkpointer.stop();
  });
});

describe('AUDIT_CHECKPOINT_INTERVAL_MS', () => {
  const read = (env: Record<string, string>) => z.object(processKeysEnvShape).safeParse(env);

  it('defaults to 250 ms and takes 0 for "sign every seal"', () => {
    const parsed = read({});
    expect(parsed.success && processKeysOf(parsed.data).checkpointIntervalMs).toBe(250);
    const zero = read({ AUDIT_CHECKPOINT_INTERVAL_MS: '0' });
    expect(zero.success && signingBoundOf(processKeysOf(zero.data).checkpointIntervalMs)).toBeUndefined();
  });

  it('refuses a negative, fractional or over-a-minute interval, naming the variable', () => {
    for (const bad of ['-1', '2.5', '60001', 'soon']) {
      const parsed = read({ AUDIT_CHECKPOINT_INTERVAL_MS: bad });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['AUDIT_CHECKPOINT_INTERVAL_MS']);
    }
  });
});
