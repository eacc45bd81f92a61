import type { AccountingSystem, ExportRecord } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { type AccountingAdapter, createAdapter, PREFLIGHT_CODES } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// A sync runs the pre-flight before every batch. What it asks the ledger about its set-up (chart
// of accounts, accounting periods) is read once per sync; counted here in the emulator's requests
// made during each pre-flight of a multi-batch sync, with a push between pre-flights as the worker does.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const organizationId = '11111111-1111-4111-8111-111111111111';
const BATCHES = 4;

/** Batch `n` of a sync: three records on the known account 6800 and one on 4711, in neither emulator's chart. */
function batch(n: number): ExportRecord[] {
  const records = makeRecords(4, `b${n}`);
  const last = records[3] as ExportRecord;
  records[3] = { ...last, account: '4711' };
  return records;
}

function adapterFor(system: AccountingSystem): AccountingAdapter {
  const connection =
    system === 'dynamics'
      ? { ...emulators.connections.dynamics, journalName: 'PREFLIGHT' }
      : emulators.connections.xledger;
  return createAdapter(system, connection, fastOptions());
}

/**
 * Run a sync of {@link BATCHES} batches the way the worker does (pre-flight, then push what it did
 * not refuse) and return the emulator requests each pre-flight made and what each one predicted.
 */
async function runSync(adapter: AccountingAdapter, system: AccountingSystem, syncLogId?: string) {
  const requests: number[] = [];
  const refused: string[][] = [];
  for (let n = 1; n <= BATCHES; n += 1) {
    const records = batch(n);
    const before = emulators.stats(system).requests;
    const planned = await adapter.preflight(records, {
      organizationId,
      ...(syncLogId ? { syncLogId } : {}),
    });
    requests.push(emulators.stats(system).requests - before);
    refused.push(planned.rejected.map((r) => `${r.recordId} ${r.code}`));
    const ids = new Set(planned.rejected.map((r) => r.recordId));
    const result = await adapter.pushBatch(
      records.filter((r) => !ids.has(r.id)),
      batchContext({ syncLogId: syncLogId ?? crypto.randomUUID(), organizationId, batchNumber: n }),
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(3);
  }
  return { requests, refused };
}

const expectedRefusals = Array.from({ length: BATCHES }, (_, i) => [
  `b${i + 1}-0004 ${PREFLIGHT_CODES.unknownAccount}`,
]);

describe.each(['xledger', 'dynamics'] as const)('%s pre-flight reads, per sync', (system) => {
  it('reads the chart of accounts (and periods) for the first batch only, and still predicts every refusal', async () => {
    const { requests, refused } = await runSync(adapterFor(system), system, crypto.randomUUID());
    // Xledger: one `accounts(filter: {code_in})` query. Business Central: one `accounts?$filter`
    // and one `accountingPeriods` (the local currency is in the connection settings).
    const firstBatch = system === 'xledger' ? 1 : 2;
    expect(requests).toEqual([firstBatch, ...Array.from({ length: BATCHES - 1 }, () => 0)]);
    expect(refused).toEqual(expectedRefusals);
  });

  it('reads afresh for every batch of a call that names no sync (a preview), as before', async () => {
    const { requests, refused } = await runSync(adapterFor(system), system);
    const perBatch = system === 'xledger' ? 1 : 2;
    expect(requests).toEqual(Array.from({ length: BATCHES }, () => perBatch));
    expect(refused).toEqual(expectedRefusals);
  });

  it('keeps nothing from one sync for the next: another sync on the same adapter reads the ledger again', async () => {
    const adapter = adapterFor(system);
    const first = await runSync(adapter, system, crypto.randomUUID());
    // The same records again: the ledger holds them, so the push accepts them as already posted.
    const second = await runSync(adapter, system, crypto.randomUUID());
    expect(second.requests[0]).toBeGreaterThan(0);
    expect(second.requests.slice(1)).toEqual(Array.from({ length: BATCHES - 1 }, () => 0));
    expect(second.refused).toEqual(first.refused);
  });
});
