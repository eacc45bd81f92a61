import type { ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { balancesOf } from '../src/systems/xledger/emulator/xledger-ledger.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// A reversal books the record's voucher again with every amount negated, under its own key
// (`<id>:reversal`): `extIdentifier` is not unique in Xledger (spec "Xledger", I), so a reversal
// under the original's key would be indistinguishable from a repeat of the original, and the
// read-back that keeps a posting exactly-once would skip it.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (settings: Record<string, string> = {}) =>
  createAdapter('xledger', { ...emulators.connections.xledger, ...settings }, fastOptions());
const balances = () => balancesOf(emulators.xledgerJournalEntries());
const reversalOf = (record: ExportRecord): ExportRecord => ({ ...record, reversal: true });

describe('XledgerAdapter — reversal', () => {
  it('posts the negated voucher under its own key and brings every balance back to zero', async () => {
    const records = makeRecords(3);
    await adapter().pushBatch(records, batchContext());
    expect(balances().accounts).toEqual({ '2910': '-300.06', '6800': '300.06' });

    const result = await adapter().pushBatch(
      records.map(reversalOf),
      batchContext({ syncLogId: 'f0f0f0f0-0000-4000-8000-000000000001' }),
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
      ['rec-0001', undefined],
      ['rec-0002', undefined],
      ['rec-0003', undefined],
    ]);
    const reversal = emulators
      .ledger('xledger')
      .filter((i) => i.extIdentifier?.startsWith('rec-0001:reversal'));
    expect(reversal.map((i) => [i.extIdentifier, i.amount, i.accountCode, i.invoiceNumber])).toEqual([
      ['rec-0001:reversal', '-100.01', '6800', 'rec-0001:reversal'],
      ['rec-0001:reversal:contra', '100.01', '2910', 'rec-0001:reversal'],
    ]);
    expect(balances().accounts).toEqual({ '2910': '0.00', '6800': '0.00' });
  });

  it('a repeated reversal push posts nothing twice (found by its own key)', async () => {
    const [record] = makeRecords(1) as [ExportRecord];
    await adapter().pushBatch([record], batchContext());
    await adapter().pushBatch([reversalOf(record)], batchContext());
    const again = await adapter().pushBatch([reversalOf(record)], batchContext());
    expect(again.accepted).toEqual([expect.objectContaining({ recordId: record.id, alreadyPosted: true })]);
    expect(emulators.ledger('xledger')).toHaveLength(4);
    expect(balances().accounts).toEqual({ '2910': '0.00', '6800': '0.00' });
  });

  it('the original is never mistaken for its reversal: a reversal pushed first still posts once, the original after it too', async () => {
    const [record] = makeRecords(1) as [ExportRecord];
    const reversed = await adapter().pushBatch([reversalOf(record)], batchContext());
    expect(reversed.accepted[0]?.alreadyPosted).toBeUndefined();
    const original = await adapter().pushBatch([record], batchContext());
    expect(original.accepted[0]?.alreadyPosted).toBeUndefined();
    expect(emulators.ledger('xledger').map((i) => i.extIdentifier)).toEqual([
      'rec-0001:reversal',
      'rec-0001:reversal:contra',
      'rec-0001',
      'rec-0001:contra',
    ]);
  });

  it('the pre-flight shows the reversal document under its key with negated amounts', async () => {
    const [record] = makeRecords(1) as [ExportRecord];
    const { documents } = await adapter().preflight([reversalOf(record)], {
      organizationId: batchContext().organizationId,
    });
    expect(documents).toEqual([
      {
        documentNumber: 'rec-0001:reversal',
        postingDate: '2024-05-15',
        recordIds: ['rec-0001'],
        reversal: true,
        lines: [
          { account: '6800', amount: '-100.01', currency: 'NOK', recordId: 'rec-0001' },
          { account: '2910', amount: '100.01', currency: 'NOK' },
        ],
      },
    ]);
  });

  it('a reversal whose answer was lost is read back by its own key and not sent again (spec "never post twice")', async () => {
    const records = makeRecords(5);
    await adapter().pushBatch(records, batchContext());
    emulators.setFaults('xledger', { dropAfterWrite: 1 });
    const result = await adapter().pushBatch(records.map(reversalOf), batchContext());
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(5);
    expect(emulators.stats('xledger')).toMatchObject({ dropped: 1 });
    expect(emulators.ledger('xledger')).toHaveLength(20);
    expect(balances().accounts).toEqual({ '2910': '0.00', '6800': '0.00' });
  });

  it('a reversal Xledger has not processed within the wait ends unverified and is never sent again', async () => {
    const [record] = makeRecords(1) as [ExportRecord];
    await adapter().pushBatch([record], batchContext());
    emulators.setFaults('xledger', { processingDelayMs: 60_000 });
    const slow = createAdapter(
      'xledger',
      emulators.connections.xledger,
      fastOptions({ xledgerProcessingWait: { maxWaitMs: 0 } }),
    );
    const first = await slow.pushBatch([reversalOf(record)], batchContext());
    expect(first.rejected).toEqual([
      expect.objectContaining({ recordId: record.id, code: 'POSTED_NOT_FOUND', unverified: true }),
    ]);
    const again = await slow.pushBatch(
      [reversalOf(record)],
      batchContext({ neverSend: new Set([record.id]) }),
    );
    expect(again.rejected[0]).toMatchObject({ code: 'POSTED_NOT_FOUND', unverified: true });
    expect(emulators.ledger('xledger').filter((i) => i.extIdentifier?.includes(':reversal'))).toHaveLength(2);
  });
});

describe('XledgerAdapter — posting rounds (a record exported again after its reversal)', () => {
  const inRound = (record: ExportRecord, postingRound: number): ExportRecord => ({ ...record, postingRound });

  it('round 1 keeps the record id as its key; round 2 and its reversal are booked under keys of their own', async () => {
    const records = makeRecords(2);
    await adapter().pushBatch(records, batchContext());
    const afterExport = balances().accounts;
    await adapter().pushBatch(records.map(reversalOf), batchContext());
    expect(balances().accounts).toEqual({ '2910': '0.00', '6800': '0.00' });

    const round2 = records.map((r) => inRound(r, 2));
    const again = await adapter().pushBatch(round2, batchContext());
    expect(again.rejected).toEqual([]);
    expect(again.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
      ['rec-0001', undefined],
      ['rec-0002', undefined],
    ]);
    expect(balances().accounts).toEqual(afterExport);
    const keys = () => emulators.ledger('xledger').filter((i) => i.extIdentifier?.startsWith('rec-0001'));
    expect(keys().map((i) => [i.extIdentifier, i.invoiceNumber])).toEqual([
      ['rec-0001', 'rec-0001'],
      ['rec-0001:contra', 'rec-0001'],
      ['rec-0001:reversal', 'rec-0001:reversal'],
      ['rec-0001:reversal:contra', 'rec-0001:reversal'],
      ['rec-0001#2', 'rec-0001#2'],
      ['rec-0001#2:contra', 'rec-0001#2'],
    ]);

    const repeated = await adapter().pushBatch(round2, batchContext());
    expect(repeated.accepted.map((a) => a.alreadyPosted)).toEqual([true, true]);
    expect(emulators.ledger('xledger')).toHaveLength(12);

    await adapter().pushBatch(round2.map(reversalOf), batchContext());
    expect(
      keys()
        .map((i) => i.extIdentifier)
        .slice(6),
    ).toEqual(['rec-0001#2:reversal', 'rec-0001#2:reversal:contra']);
    expect(balances().accounts).toEqual({ '2910': '0.00', '6800': '0.00' });
  });

  it('the pre-flight shows a later round under its own document number', async () => {
    const [record] = makeRecords(1) as [ExportRecord];
    const { documents } = await adapter().preflight([inRound(record, 3), reversalOf(inRound(record, 3))], {
      organizationId: batchContext().organizationId,
    });
    expect(documents.map((d) => d.documentNumber)).toEqual(['rec-0001#3', 'rec-0001#3:reversal']);
  });
});
