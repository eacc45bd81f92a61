import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.xledger;

/** Every record's expense line and contra line are in the ledger exactly once. */
function expectEachOnce(ids: readonly string[]) {
  const ledger = emulators.ledger('xledger').map((i) => i.extIdentifier);
  expect([...ledger].sort()).toEqual(ids.flatMap((id) => [id, `${id}:contra`]).sort());
}

describe('XledgerAdapter — never posts twice when an outcome is unknown', () => {
  it('connection dropped after the write: reads back, re-sends nothing, accepts every record', async () => {
    emulators.setFaults('xledger', { dropAfterWrite: 1 });
    const records = makeRecords(20);
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );

    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((a) => a.recordId)).toEqual(records.map((r) => r.id));
    expectEachOnce(records.map((r) => r.id));
    expect(emulators.stats('xledger')).toMatchObject({ dropped: 1, writes: 1 });
    const dbIds = new Map(emulators.ledger('xledger').map((i) => [i.extIdentifier, i.dbId]));
    for (const accepted of result.accepted) expect(accepted.externalId).toBe(dbIds.get(accepted.recordId));
  });

  it('drop after a partly refused write: the read-back finds the refused voucher and its glImportItemErrors, sends nothing again', async () => {
    emulators.setFaults('xledger', { dropAfterWrite: 1, rejectRecordIds: ['rec-0002'] });
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      makeRecords(3),
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0001', 'rec-0003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({ recordId: 'rec-0002', category: 'validation' }),
    ]);
    expectEachOnce(['rec-0001', 'rec-0002', 'rec-0003']);
    expect(
      emulators
        .ledger('xledger')
        .filter((i) => i.status === 'error')
        .map((i) => i.extIdentifier),
    ).toEqual(['rec-0002', 'rec-0002:contra']);
    expect(emulators.stats('xledger').writes).toBe(1);
  });

  it('only the records the lost write did not apply are sent again (multi-request batch)', async () => {
    // Requests of 5: the second request's answer is lost after it was applied.
    emulators.setFaults('xledger', {});
    const records = makeRecords(15);
    const options = fastOptions({ itemsPerRequest: 5 });
    let writes = 0;
    const fetchSpy: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('addGLImportItems')) {
        writes += 1;
        if (writes === 2) emulators.setFaults('xledger', { dropAfterWrite: 1 });
      }
      return fetch(input, init);
    };
    const result = await createAdapter('xledger', connection(), { ...options, fetch: fetchSpy }).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(15);
    expect(result.accepted.filter((a) => a.alreadyPosted).map((a) => a.recordId)).toEqual([
      'rec-0006',
      'rec-0007',
      'rec-0008',
      'rec-0009',
      'rec-0010',
    ]);
    expectEachOnce(records.map((r) => r.id));
  });

  it('a timeout whose write landed late is read back, not re-posted', async () => {
    const records = makeRecords(4);
    // The write outlasts the client's timeout by a second; every other request has 500 ms, far
    // more than a loaded machine's in-process emulator needs (a tighter timeout once timed reads out).
    const options = fastOptions({ retry: { requestTimeoutMs: 500 } });
    let slowed = false;
    const slowFirstWrite: typeof fetch = async (input, init) => {
      if (!slowed && typeof init?.body === 'string' && init.body.includes('addGLImportItems')) {
        slowed = true;
        emulators.setFaults('xledger', { latencyMs: 1_500 });
      }
      return fetch(input, init);
    };
    const adapter = createAdapter('xledger', connection(), {
      ...options,
      fetch: slowFirstWrite,
      // Between attempts: wait until the timed-out write has landed in the ledger (the emulator
      // counts it as it applies it), then take the latency away. A fixed sleep guessed how long
      // landing takes, and a read-back before it would rightly post the batch a second time.
      sleep: async () => {
        for (const until = Date.now() + 20_000; slowed && emulators.stats('xledger').writes < 1; ) {
          if (Date.now() > until) throw new Error('the slow write never landed');
          await delay(10);
        }
        emulators.setFaults('xledger', {});
      },
    });
    const result = await adapter.pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(4);
    expect(result.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expectEachOnce(records.map((r) => r.id));
    expect(emulators.stats('xledger')).toMatchObject({ writes: 1 });
  });

  it('5xx after a write: reads back before re-sending, then posts what is missing', async () => {
    emulators.setFaults('xledger', { serverErrors: 2 });
    const records = makeRecords(6);
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(6);
    expect(result.accepted.some((a) => a.alreadyPosted)).toBe(false);
    expectEachOnce(records.map((r) => r.id));
    // read-back (503) → read-back (503) → read-back → write → glImportItemErrors
    expect(emulators.stats('xledger')).toMatchObject({ requests: 5, writes: 1, serverErrors: 2 });
  });
});

describe('XledgerAdapter — repeats that nothing in Xledger refuses (extIdentifier is not unique)', () => {
  // spec "Xledger": extIdentifier is not documented as unique (I) — the ledger stores a repeat, so
  // the adapter must read back before anything that could repeat a write.
  it('a second export of an exported period posts nothing again', async () => {
    const records = makeRecords(7);
    const adapter = createAdapter('xledger', connection(), fastOptions());
    await adapter.pushBatch(records, batchContext());
    const again = await adapter.pushBatch(
      records,
      batchContext({ syncLogId: '00000000-0000-4000-8000-000000000002' }),
    );
    expect(again.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expectEachOnce(records.map((r) => r.id));
    expect(emulators.stats('xledger').writes).toBe(1);
  });

  it('re-sync of a partial sync: posts only what the first attempt did not, counted in the ledger', async () => {
    const records = makeRecords(6);
    emulators.setFaults('xledger', { rejectRecordIds: ['rec-0002', 'rec-0005'] });
    const adapter = createAdapter('xledger', connection(), fastOptions());
    const first = await adapter.pushBatch(records, batchContext());
    expect(first.rejected.map((r) => r.recordId)).toEqual(['rec-0002', 'rec-0005']);
    // The operator fixes the cause and re-syncs the failed records and, by mistake, two posted ones.
    emulators.setFaults('xledger', {});
    const retry = records.filter((r) => ['rec-0001', 'rec-0002', 'rec-0005', 'rec-0006'].includes(r.id));
    const second = await adapter.pushBatch(retry, batchContext({ readBackFirst: true }));
    expect(second.accepted.filter((a) => a.alreadyPosted).map((a) => a.recordId)).toEqual([
      'rec-0001',
      'rec-0006',
    ]);
    // The refused vouchers stay staged with their errors; they are reported, never re-sent.
    expect(second.rejected.map((r) => r.recordId)).toEqual(['rec-0002', 'rec-0005']);
    const items = emulators.ledger('xledger');
    for (const id of records.map((r) => r.id)) {
      expect(items.filter((i) => i.extIdentifier === id)).toHaveLength(1);
      expect(items.filter((i) => i.extIdentifier === `${id}:contra`)).toHaveLength(1);
    }
  });

  it('worker killed after posting and before sealing: the next attempt finds every voucher', async () => {
    const records = makeRecords(12);
    // The first worker's write landed; its answer never reached anyone (the process died).
    emulators.setFaults('xledger', { dropAfterWrite: 1 });
    await createAdapter('xledger', connection(), fastOptions({ retry: { maxAttempts: 1 } }))
      .pushBatch(records, batchContext())
      .catch(() => undefined);
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      records,
      batchContext({ readBackFirst: true }),
    );
    expect(result.accepted).toHaveLength(12);
    expect(result.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expectEachOnce(records.map((r) => r.id));
  });
});
