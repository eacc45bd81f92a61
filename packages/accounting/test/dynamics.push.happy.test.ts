import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  DEMO_DYNAMICS_JOURNAL_ID,
  type RunningEmulators,
  startEmulators,
} from '../src/emulators/index.js';
import { createAdapter, DynamicsAdapter, documentNumberFor } from '../src/index.js';
import { eachPostedOnce, postedCounts, rawClient } from './support/dynamics.js';
import { batchContext, decimal, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (extra = {}) => createAdapter('dynamics', emulators.connections.dynamics, fastOptions(extra));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('DynamicsAdapter — posting model', () => {
  it('posts one balanced document per record: expense debit, balancing credit, deterministic document number', async () => {
    const records = makeRecords(12);
    const result = await adapter().pushBatch(records, batchContext({ batchNumber: 3 }));

    expect(result.rejected).toEqual([]);
    const entries = emulators.ledger('dynamics');
    expect(entries).toHaveLength(24);
    for (const record of records) {
      const documentNumber = documentNumberFor(record.id);
      expect(documentNumber).toHaveLength(20);
      const mine = entries.filter((e) => e.documentNumber === documentNumber);
      expect(mine).toEqual([
        expect.objectContaining({
          accountNumber: '6800',
          postingDate: '2024-05-15',
          debitAmount: decimal(record.amountMinor),
          creditAmount: '0',
          // The key leads the description: posting copies it onto the G/L entry and no number series rewrites it.
          description: `${documentNumber} ${record.description}`,
        }),
        expect.objectContaining({
          accountNumber: DEMO_DYNAMICS_BALANCING_ACCOUNT,
          debitAmount: '0',
          creditAmount: decimal(record.amountMinor),
        }),
      ]);
      // externalId: the id of the record's expense-side G/L entry.
      expect(result.accepted.find((a) => a.recordId === record.id)).toEqual({
        recordId: record.id,
        externalId: mine[0]?.id,
      });
    }
    // The batch reference: the first G/L entry posted for it — a GUID, as the product's format rule expects.
    expect(result.externalReferenceId).toBe(entries[0]?.id);
    expect(result.externalReferenceId).toMatch(GUID);
    expect(result.externalReferenceId).not.toBe(DEMO_DYNAMICS_JOURNAL_ID);
    // The journal is empty after posting.
    expect(emulators.openJournalLines()).toEqual([]);
    // journals lookup, stale-line scan, G/L read-back, one $batch, one post, G/L read-back.
    expect(emulators.stats('dynamics')).toMatchObject({ requests: 6, writes: 2, tokenRequests: 1 });
  });

  it('API cost (issue 22): 15 requests per 100-record batch, 132 for 1,000 records in ten batches', async () => {
    const records = makeRecords(1_000);
    const pusher = adapter();
    await pusher.pushBatch(records.slice(0, 100), batchContext());
    // token, journals lookup, stale-line scan, 5 read-backs of 20 keys, one $batch, one post, 5 read-backs.
    expect(pusher.requests).toEqual({ reads: 13, writes: 2 });
    for (let i = 100; i < 1_000; i += 100)
      await pusher.pushBatch(records.slice(i, i + 100), batchContext({ batchNumber: i / 100 + 1 }));
    // The token and the journal id are read once per adapter (one adapter serves one sync).
    expect(pusher.requests.reads + pusher.requests.writes).toBe(132);
    expect(emulators.stats('dynamics').requests + emulators.stats('dynamics').tokenRequests).toBe(132);
  });

  it('gives each sync a different externalReferenceId', async () => {
    const first = await adapter().pushBatch(makeRecords(2, 'a'), batchContext());
    const second = await adapter().pushBatch(makeRecords(2, 'b'), batchContext({ batchNumber: 2 }));
    expect(first.externalReferenceId).toMatch(GUID);
    expect(second.externalReferenceId).toMatch(GUID);
    expect(second.externalReferenceId).not.toBe(first.externalReferenceId);
  });

  it('splits a large batch into $batch requests of at most 100 operations', async () => {
    const records = makeRecords(250);
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(250);
    expect(eachPostedOnce(emulators, records)).toBe(true);
    // 3 $batch (100 + 100 + 50) and 1 post action.
    expect(emulators.stats('dynamics')).toMatchObject({ writes: 4, itemsPosted: 500 });
  });

  it('refuses more than 100 operations per $batch in its options', () => {
    expect(() => new DynamicsAdapter(emulators.connections.dynamics, { itemsPerRequest: 101 })).toThrow(
      RangeError,
    );
  });

  it('creates its journal batch through the API when it is missing (POST journals), and uses it', async () => {
    const connection = { ...emulators.connections.dynamics, journalName: 'mx-exp' };
    const records = makeRecords(3);
    const result = await createAdapter('dynamics', connection, fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(3);
    const { api, company } = await rawClient(emulators);
    const journals = await api(`${company}/journals?$filter=${encodeURIComponent("code eq 'MX-EXP'")}`);
    expect(journals.body?.value).toHaveLength(1);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it('passes the connection check', async () => {
    await expect(adapter().checkConnection()).resolves.toEqual({ ok: true });
  });
});

describe('DynamicsAdapter — currency', () => {
  it('rejects a record in another currency per record (PREFLIGHT_FOREIGN_CURRENCY) and posts the rest', async () => {
    const records = makeRecords(3);
    records[1] = { ...records[1], currency: 'EUR' } as (typeof records)[0];
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0001', 'rec-0003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({ recordId: 'rec-0002', code: 'PREFLIGHT_FOREIGN_CURRENCY', retryable: false }),
    ]);
    expect(result.rejected[0]?.reason).toMatch(/EUR.*local currency NOK.*currencyRates/);
    expect(postedCounts(emulators, records).get('rec-0002')).toBe(0);
  });

  it('books a mapped currency at its fixed rate, in integers (EUR 100.02 × 11.5 = NOK 1150.23)', async () => {
    const [record] = makeRecords(1, 'eur', { currency: 'EUR', amountMinor: 10_002 });
    const connection = { ...emulators.connections.dynamics, currencyRates: 'EUR=11.5' };
    const result = await createAdapter('dynamics', connection, fastOptions()).pushBatch(
      [record as NonNullable<typeof record>],
      batchContext(),
    );
    expect(result.accepted).toHaveLength(1);
    expect(emulators.ledger('dynamics')[0]).toMatchObject({ debitAmount: '1150.23' });
  });

  it('reads the local currency from companyInformation when the settings do not give it', async () => {
    const { localCurrency: _omitted, ...connection } = emulators.connections.dynamics;
    const records = makeRecords(2);
    records[0] = { ...records[0], currency: 'SEK' } as (typeof records)[0];
    const result = await createAdapter('dynamics', connection, fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.rejected[0]?.reason).toMatch(/local currency NOK/);
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0002']);
  });
});
