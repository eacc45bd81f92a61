import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, registrationNumberFor } from '../src/index.js';
import { batchContext, decimal, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (extra = {}) => createAdapter('xledger', emulators.connections.xledger, fastOptions(extra));

describe('XledgerAdapter — happy batch', () => {
  it('posts every record once with its amount, account, date and the sync’s trRegNumber', async () => {
    const records = makeRecords(25);
    const result = await adapter().pushBatch(records, batchContext());

    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((a) => a.recordId)).toEqual(records.map((r) => r.id));
    expect(result.accepted.every((a) => a.alreadyPosted === undefined)).toBe(true);

    const ledger = emulators.ledger('xledger');
    expect(ledger).toHaveLength(25);
    expect(new Set(ledger.map((i) => i.extIdentifier)).size).toBe(25);
    const trRegNumber = registrationNumberFor(batchContext().syncLogId);
    for (const record of records) {
      const item = ledger.find((i) => i.extIdentifier === record.id);
      expect(item).toMatchObject({
        amount: decimal(record.amountMinor),
        accountCode: '6800',
        currency: 'NOK',
        postedDate: '2024-05-15',
        text: record.description,
        trRegNumber,
      });
      expect(result.accepted.find((a) => a.recordId === record.id)?.externalId).toBe(item?.dbId);
    }
  });

  it('reports the lowest dbId of the batch as its numeric reference', async () => {
    const result = await adapter().pushBatch(makeRecords(3), batchContext());
    const [lowest] = emulators
      .ledger('xledger')
      .map((i) => BigInt(i.dbId))
      .sort((a, b) => (a < b ? -1 : 1));
    expect(result.externalReferenceId).toBe(String(lowest));
    expect(result.externalReferenceId).toMatch(/^[0-9]{1,19}$/);
  });

  it('splits a batch into requests of itemsPerRequest', async () => {
    const result = await adapter({ itemsPerRequest: 10 }).pushBatch(makeRecords(35), batchContext());
    expect(result.accepted).toHaveLength(35);
    expect(emulators.stats('xledger')).toMatchObject({ requests: 4, writes: 4, itemsPosted: 35 });
  });

  it('passes the connection check with a valid token', async () => {
    await expect(adapter().checkConnection()).resolves.toEqual({ ok: true });
  });
});

describe('XledgerAdapter — a plain re-push of records already in the ledger', () => {
  it('returns them as accepted and alreadyPosted with their existing dbId, posting nothing', async () => {
    const records = makeRecords(8);
    const first = await adapter().pushBatch(records, batchContext());
    const again = await adapter().pushBatch(
      [...records, ...makeRecords(2, 'fresh')],
      batchContext({ batchNumber: 2 }),
    );

    expect(again.rejected).toEqual([]);
    const repeated = again.accepted.filter((a) => a.recordId.startsWith('rec-'));
    expect(repeated).toEqual(first.accepted.map((a) => ({ ...a, alreadyPosted: true })));
    expect(again.accepted.filter((a) => a.recordId.startsWith('fresh-') && !a.alreadyPosted)).toHaveLength(2);
    expect(emulators.ledger('xledger')).toHaveLength(10);
  });

  it('with readBackFirst asks the ledger first and sends no write at all when it holds everything', async () => {
    const records = makeRecords(5);
    await adapter().pushBatch(records, batchContext());
    const writesBefore = emulators.stats('xledger').writes;
    const again = await adapter().pushBatch(records, batchContext({ readBackFirst: true }));
    expect(again.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expect(emulators.stats('xledger').writes).toBe(writesBefore);
    expect(emulators.stats('xledger').duplicatesRefused).toBe(0);
  });

  it('reads back across several Relay pages', async () => {
    await emulators.close();
    emulators = await startEmulators({ maxPageSize: 3 });
    const records = makeRecords(10);
    await adapter().pushBatch(records, batchContext());
    const again = await adapter().pushBatch(records, batchContext({ readBackFirst: true }));
    expect(again.accepted.filter((a) => a.alreadyPosted)).toHaveLength(10);
    // 1 write + 1 read-back of 10 ids in pages of 3 = 4 pages.
    expect(emulators.stats('xledger').requests).toBe(5);
  });
});
