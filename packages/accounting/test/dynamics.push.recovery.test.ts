import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_DYNAMICS_JOURNAL_ID, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, documentNumberFor } from '../src/index.js';
import { eachPostedOnce, postedCounts, rawClient } from './support/dynamics.js';
import { batchContext, failure, fastOptions, makeRecords } from './support/fixtures.js';

// "Never post twice" against the faithful emulator (posting deletes the journal's lines; what was
// posted is only in generalLedgerEntries), counted in the emulator's G/L entries — issue 12,
// "Done when", every Business Central recovery path.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.dynamics;

/**
 * A fetch that lets the request reach the server and complete there, then loses the answer
 * (`how`: a network error, or a client-side timeout) for the first `times` requests matching `match`.
 */
function losingFetch(
  match: (url: string, method: string) => boolean,
  times: number,
  how: 'network' | 'timeout',
) {
  let left = times;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    const url = String(input);
    if (left > 0 && match(url, init?.method ?? 'GET')) {
      left -= 1;
      await response.text();
      if (how === 'timeout')
        throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      });
    }
    return response;
  }) as typeof fetch;
}

/** A fetch that "kills the worker" (an error no retry catches) at the first request matching `match`. */
function dyingFetch(match: (url: string, method: string) => boolean) {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (match(String(input), init?.method ?? 'GET')) throw new Error('worker killed');
    return fetch(input, init);
  }) as typeof fetch;
}

const isBatch = (url: string) => url.endsWith('/$batch');
const isPost = (url: string) => url.endsWith('/Microsoft.NAV.post');

describe('DynamicsAdapter — never posts twice, counted in the G/L', () => {
  it('lost response after the $batch that created the lines: reads the journal, creates only what is missing, posts each record once', async () => {
    const records = makeRecords(30);
    const result = await createAdapter(
      'dynamics',
      connection(),
      fastOptions({ fetch: losingFetch(isBatch, 1, 'network') }),
    ).pushBatch(records, batchContext());
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((a) => a.recordId)).toEqual(records.map((r) => r.id));
    expect(eachPostedOnce(emulators, records)).toBe(true);
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('lost response after the post action: reads the G/L, posts nothing again', async () => {
    const records = makeRecords(8);
    const result = await createAdapter(
      'dynamics',
      connection(),
      fastOptions({ fetch: losingFetch(isPost, 1, 'network') }),
    ).pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(8);
    // Posted by this push (its answer was lost), so not reported as "already posted".
    expect(result.accepted.every((a) => a.alreadyPosted === undefined)).toBe(true);
    expect(eachPostedOnce(emulators, records)).toBe(true);
    const entryIds = new Set(emulators.ledger('dynamics').map((e) => e.id));
    for (const a of result.accepted) expect(entryIds.has(a.externalId)).toBe(true);
  });

  it('the emulator drops the connection after applying writes (dropAfterWrite): still once each', async () => {
    emulators.setFaults('dynamics', { dropAfterWrite: 2 });
    const records = makeRecords(12);
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(12);
    expect(emulators.stats('dynamics').dropped).toBe(2);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it('$batch timed out on the client but completed on the server (assumption I): once each', async () => {
    const records = makeRecords(20);
    const result = await createAdapter(
      'dynamics',
      connection(),
      fastOptions({ fetch: losingFetch(isBatch, 1, 'timeout') }),
    ).pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(20);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it('worker killed between creating lines and posting: the next sync removes the lines and posts once', async () => {
    const records = makeRecords(10);
    const dying = createAdapter('dynamics', connection(), fastOptions({ fetch: dyingFetch(isPost) }));
    await expect(dying.pushBatch(records, batchContext())).rejects.toThrow('worker killed');
    expect(emulators.openJournalLines()).toHaveLength(10);
    expect(emulators.ledger('dynamics')).toHaveLength(0);

    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext({ syncLogId: '6c2f7b3e-1d4e-4f9a-8b8c-2d3e4f5a6b7c', readBackFirst: true }),
    );
    expect(result.accepted.map((a) => a.alreadyPosted)).toEqual(records.map(() => undefined));
    expect(eachPostedOnce(emulators, records)).toBe(true);
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('worker killed after posting, before sealing: the re-sync finds every record in the G/L and writes nothing', async () => {
    const records = makeRecords(10);
    const first = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    const writes = emulators.stats('dynamics').writes;

    const again = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext({ syncLogId: '6c2f7b3e-1d4e-4f9a-8b8c-2d3e4f5a6b7c', readBackFirst: true }),
    );
    expect(again.accepted).toEqual(first.accepted.map((a) => ({ ...a, alreadyPosted: true })));
    expect(again.externalReferenceId).toBe(first.externalReferenceId);
    expect(emulators.stats('dynamics').writes).toBe(writes);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it('re-sync of a partial sync: posts only what is missing', async () => {
    const records = makeRecords(6);
    emulators.setFaults('dynamics', { rejectRecordIds: ['rec-0002', 'rec-0005'] });
    const partial = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(partial.rejected.map((r) => r.recordId)).toEqual(['rec-0002', 'rec-0005']);
    emulators.setFaults('dynamics', {});

    const resync = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext({ syncLogId: '6c2f7b3e-1d4e-4f9a-8b8c-2d3e4f5a6b7c', readBackFirst: true }),
    );
    expect(resync.rejected).toEqual([]);
    expect(resync.accepted.filter((a) => a.alreadyPosted).map((a) => a.recordId)).toEqual([
      'rec-0001',
      'rec-0003',
      'rec-0004',
      'rec-0006',
    ]);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it('a second manual export of an exported period (another sync, other batches): nothing posted twice', async () => {
    const records = makeRecords(9);
    await createAdapter('dynamics', connection(), fastOptions()).pushBatch(records, batchContext());
    // The second export sees the period in another order and batch split, and does not say readBackFirst.
    const second = createAdapter('dynamics', connection(), fastOptions({ itemsPerRequest: 4 }));
    const reversed = [...records].reverse();
    const a = await second.pushBatch(
      reversed.slice(0, 5),
      batchContext({ syncLogId: '7d3a8c4f-2e5f-4a0b-9c9d-3e4f5a6b7c8d' }),
    );
    const b = await second.pushBatch(
      reversed.slice(5),
      batchContext({ syncLogId: '7d3a8c4f-2e5f-4a0b-9c9d-3e4f5a6b7c8d', batchNumber: 2 }),
    );
    expect([...a.accepted, ...b.accepted].every((x) => x.alreadyPosted === true)).toBe(true);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });

  it("stale lines from another attempt (ours and a user's) left in the batch: removed, never posted", async () => {
    const records = makeRecords(4);
    const { api, company } = await rawClient(emulators);
    const lines = `${company}/journals(${DEMO_DYNAMICS_JOURNAL_ID})/journalLines`;
    // An earlier attempt's line for rec-0001 (same document number), and an unbalanced line typed by a user.
    await api(lines, {
      method: 'POST',
      body: {
        accountNumber: '6800',
        documentNumber: documentNumberFor('rec-0001'),
        amount: '100.01',
        balancingAccountNumber: '2990',
      },
    });
    await api(lines, {
      method: 'POST',
      body: { accountNumber: '7100', documentNumber: 'USER-1', amount: '55.00' },
    });

    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(4);
    expect(eachPostedOnce(emulators, records)).toBe(true);
    expect(emulators.ledger('dynamics').some((e) => e.documentNumber === 'USER-1')).toBe(false);
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('a stale line the API cannot list (a Customer line) makes the post fail cleanly: nothing of ours posted or left behind', async () => {
    const { api, company } = await rawClient(emulators);
    await api(`${company}/journals(${DEMO_DYNAMICS_JOURNAL_ID})/journalLines`, {
      method: 'POST',
      body: { accountType: 'Customer', accountNumber: 'C0001', documentNumber: 'USER-2', amount: '10.00' },
    });
    const records = makeRecords(2);
    const error = await failure(
      createAdapter('dynamics', connection(), fastOptions()).pushBatch(records, batchContext()),
    );
    expect(error.message).toMatch(/USER-2 is out of balance/);
    expect(error.details).toMatchObject({ category: 'validation', retryable: false });
    expect([...postedCounts(emulators, records).values()]).toEqual([0, 0]);
    // Only the line we cannot see remains.
    expect(emulators.openJournalLines().map((l) => l.documentNumber)).toEqual(['USER-2']);
  });
});

describe('DynamicsAdapter — refusals at posting', () => {
  it('a posting date outside the allowed range refuses that record only; the others post', async () => {
    emulators.setFaults('dynamics', { allowPostingFrom: '2024-05-01', allowPostingTo: '2024-05-31' });
    const records = makeRecords(3);
    records[1] = { ...records[1], bookingDate: '2024-06-02' } as (typeof records)[0];
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0001', 'rec-0003']);
    expect(result.rejected).toEqual([
      expect.objectContaining({
        recordId: 'rec-0002',
        code: 'Application_DialogException',
        retryable: false,
      }),
    ]);
    expect(result.rejected[0]?.reason).toMatch(/not within your range of allowed posting dates/);
    expect([...postedCounts(emulators, records).values()]).toEqual([1, 0, 1]);
  });
});
