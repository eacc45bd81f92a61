import type { ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, documentNumberFor, ledgerDescriptionFor, postingKeyOf } from '../src/index.js';
import { balancesOf } from '../src/systems/dynamics/emulator/dynamics-ledger.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

/*
 * Posting rounds (issue 24: "reversed records can be exported again"). A record released by its
 * reversal is exported again in its next round, under `documentNumberFor('<id>#<n>')`: under the
 * record id alone, the read-back (`startswith(description,'<key>')`, V: BaseApp table 17 "G/L Entry"
 * copies the journal line's Description) finds the reversed posting and answers "already posted".
 * Round 1 keeps the key every record had before rounds existed.
 */

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = () => createAdapter('dynamics', emulators.connections.dynamics, fastOptions());
const inRound = (record: ExportRecord, postingRound: number): ExportRecord => ({ ...record, postingRound });
const reversalOf = (record: ExportRecord): ExportRecord => ({ ...record, reversal: true });
const balances = () => balancesOf(emulators.ledger('dynamics')).accounts;
const entriesUnder = (key: string) =>
  emulators.ledger('dynamics').filter((e) => e.description.startsWith(key));

describe('Business Central — posting rounds', () => {
  it('round 1 keeps the key of the record id; round 2 and its reversal have keys of their own', () => {
    const [record] = makeRecords(1) as [ExportRecord];
    expect(postingKeyOf(record)).toBe(documentNumberFor(record.id));
    expect(postingKeyOf(inRound(record, 1))).toBe(documentNumberFor(record.id));
    expect(postingKeyOf(reversalOf(inRound(record, 1)))).toBe(documentNumberFor(`${record.id}:reversal`));
    expect(postingKeyOf(inRound(record, 2))).toBe(documentNumberFor(`${record.id}#2`));
    expect(postingKeyOf(reversalOf(inRound(record, 2)))).toBe(documentNumberFor(`${record.id}#2:reversal`));
    expect(postingKeyOf(inRound(record, 2))).toMatch(/^MX[A-Z2-7]{18}$/);
    // The reversal names the round it reverses; the description stays within Text[100].
    expect(ledgerDescriptionFor({ ...reversalOf(inRound(record, 2)), description: 'd'.repeat(200) })).toMatch(
      new RegExp(
        `^${postingKeyOf(reversalOf(inRound(record, 2)))} Reversal of ${documentNumberFor(`${record.id}#2`)} d+$`,
      ),
    );
    expect(
      ledgerDescriptionFor({ ...reversalOf(inRound(record, 2)), description: 'd'.repeat(200) }),
    ).toHaveLength(100);
  });

  it('export → reverse → export posts round 2 anew; a repeated push of round 2 posts nothing; reversing it nets to zero', async () => {
    const records = makeRecords(3);
    await adapter().pushBatch(records, batchContext());
    const afterExport = balances();
    await adapter().pushBatch(records.map(reversalOf), batchContext({ batchNumber: 2 }));
    for (const value of Object.values(balances())) expect(value).toBe('0');

    const round2 = records.map((r) => inRound(r, 2));
    const again = await adapter().pushBatch(round2, batchContext({ batchNumber: 3 }));
    expect(again.rejected).toEqual([]);
    expect(again.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual(
      records.map((r) => [r.id, undefined]),
    );
    expect(balances()).toEqual(afterExport);
    for (const r of records) {
      expect(entriesUnder(postingKeyOf(inRound(r, 2)))).toHaveLength(2);
      expect(entriesUnder(documentNumberFor(r.id))).toHaveLength(2);
    }

    const writes = emulators.stats('dynamics').writes;
    const repeated = await adapter().pushBatch(round2, batchContext({ batchNumber: 4 }));
    expect(repeated.accepted.map((a) => a.alreadyPosted)).toEqual([true, true, true]);
    expect(emulators.stats('dynamics').writes).toBe(writes);
    expect(balances()).toEqual(afterExport);

    const reversed = await adapter().pushBatch(round2.map(reversalOf), batchContext({ batchNumber: 5 }));
    expect(reversed.accepted.map((a) => a.alreadyPosted)).toEqual([undefined, undefined, undefined]);
    for (const value of Object.values(balances())) expect(value).toBe('0');
    expect(emulators.ledger('dynamics')).toHaveLength(4 * 3 * 2);
  });
});
