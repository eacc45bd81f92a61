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

function expectEachOnce(ids: readonly string[]) {
  const ledger = emulators.ledger('xledger').map((i) => i.extIdentifier);
  expect([...ledger].sort()).toEqual([...ids].sort());
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
    expect(emulators.stats('xledger')).toMatchObject({ dropped: 1, writes: 1, duplicatesRefused: 0 });
    const dbIds = new Map(emulators.ledger('xledger').map((i) => [i.extIdentifier, i.dbId]));
    for (const accepted of result.accepted) expect(accepted.externalId).toBe(dbIds.get(accepted.recordId));
  });

  it('drop after a partly refused write: the refused records are re-sent and refused again, never posted', async () => {
    emulators.setFaults('xledger', { dropAfterWrite: 1, rejectRecordIds: ['rec-0002'] });
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      makeRecords(3),
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0001', 'rec-0003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({ recordId: 'rec-0002', category: 'validation' }),
    ]);
    expectEachOnce(['rec-0001', 'rec-0003']);
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
    expect(emulators.stats('xledger').duplicatesRefused).toBe(0);
  });

  it('a timeout whose write landed late is read back, not re-posted', async () => {
    emulators.setFaults('xledger', { latencyMs: 150 });
    const records = makeRecords(4);
    const options = fastOptions({ retry: { requestTimeoutMs: 50 } });
    const adapter = createAdapter('xledger', connection(), {
      ...options,
      // Between attempts: let the slow write land, then take the latency away.
      sleep: async () => {
        await delay(200);
        emulators.setFaults('xledger', {});
      },
    });
    const result = await adapter.pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(4);
    expect(result.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expectEachOnce(records.map((r) => r.id));
    expect(emulators.stats('xledger')).toMatchObject({ writes: 1, duplicatesRefused: 0 });
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
    // write (503) → read-back (503) → read-back → write
    expect(emulators.stats('xledger')).toMatchObject({ requests: 4, writes: 2, serverErrors: 2 });
  });
});

describe('Xledger emulator — the ledger refuses a second posting by itself', () => {
  it('answers DUPLICATE_EXT_IDENTIFIER and keeps one item', async () => {
    const post = () =>
      fetch(emulators.connections.xledger.baseUrl, {
        method: 'POST',
        headers: { authorization: 'token demo-xledger-token', 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($inputs: [X!]!) { addGLImportItems(inputs: $inputs) { edges { node { dbId } } } }',
          variables: {
            inputs: [
              {
                node: {
                  extIdentifier: 'dup-1',
                  postedDate: '2024-05-01',
                  account: { code: '6800' },
                  amount: '1.00',
                  currency: { code: 'NOK' },
                },
              },
            ],
          },
        }),
      }).then((r) => r.json() as Promise<{ errors?: { extensions: Record<string, unknown> }[] }>);
    const first = await post();
    const second = await post();
    expect(first.errors).toBeUndefined();
    expect(second.errors?.[0]?.extensions).toMatchObject({
      code: 'DUPLICATE_EXT_IDENTIFIER',
      extIdentifier: 'dup-1',
      inputIndex: 0,
    });
    expect(emulators.ledger('xledger')).toHaveLength(1);
  });
});
