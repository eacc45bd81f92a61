import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { realSleep } from '../src/http/clock.js';
import { type AdapterOptions, classifyRejection, createAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

// Whether Xledger processes GL import items inside the import request, and whether processed items
// stay listed in `glImportItems`, is not documented (I, spec "Third-wave facts"). The emulator
// switches both (`processingDelayMs`, `processedItemsUnlisted`); the adapter must be right under
// every combination, and the emulators' ledger is the judge of "each record once".

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.xledger;
const control = (what: string) =>
  fetch(`${emulators.url}/_control/xledger/${what}`, { method: 'POST' }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }));

/** Real waits, short polls: the emulator processes on the wall clock. */
const pollingOptions = (extra: AdapterOptions = {}) =>
  fastOptions({ sleep: realSleep, xledgerProcessingWait: { firstPollMs: 20, maxWaitMs: 20_000 }, ...extra });

/** A clock that only moves when the adapter sleeps: a bound is reached without waiting for it. */
function virtualTime(): Pick<AdapterOptions, 'clock' | 'sleep'> {
  let now = 0;
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      now += ms;
    },
  };
}

/** Every record's two lines are in the ledger exactly once (whatever their status). */
function expectEachOnce(ids: readonly string[]) {
  const ledger = emulators.ledger('xledger').map((i) => i.extIdentifier);
  expect([...ledger].sort()).toEqual(ids.flatMap((id) => [id, `${id}:contra`]).sort());
}

const statusOf = (extIdentifier: string) =>
  emulators.ledger('xledger').find((i) => i.extIdentifier === extIdentifier)?.status;

describe.each([{ processedItemsUnlisted: false }, { processedItemsUnlisted: true }])(
  'Xledger processing later than the import (I), processedItemsUnlisted=$processedItemsUnlisted',
  (listing) => {
    it('emulator: items stay staged until processingDelayMs has passed, then are booked as journal entries', async () => {
      // The delay runs on the wall clock from the import to the check after the push: long enough
      // that a loaded machine (a full parallel run) still checks before it has passed.
      emulators.setFaults('xledger', { ...listing, processingDelayMs: 1_000 });
      const adapter = createAdapter(
        'xledger',
        connection(),
        fastOptions({ xledgerProcessingWait: { maxWaitMs: 0 } }),
      );
      await adapter.pushBatch(makeRecords(1), batchContext());
      expect(statusOf('rec-0001')).toBe('staged');
      expect(emulators.xledgerJournalEntries()).toEqual([]);
      // Wait for the event (processing), bounded.
      for (const until = Date.now() + 10_000; statusOf('rec-0001') === 'staged'; await realSleep(10)) {
        if (Date.now() > until) throw new Error('never processed');
      }
      expect(statusOf('rec-0001')).toBe('processed');
      expect(emulators.xledgerJournalEntries().map((e) => e.extIdentifier)).toEqual([
        'rec-0001',
        'rec-0001:contra',
      ]);
    });

    it('a closed account refused after the import answered: that record failed with Xledger’s message, the others synced, each once', async () => {
      const records = makeRecords(5).map((r) => (r.id === 'rec-0003' ? { ...r, account: '7140' } : r));
      emulators.setFaults('xledger', { ...listing, processingDelayMs: 200, closedAccounts: ['7140'] });
      const adapter = createAdapter('xledger', connection(), pollingOptions({ itemsPerRequest: 2 }));
      const result = await adapter.pushBatch(records, batchContext());

      expect(result.accepted.map((a) => a.recordId)).toEqual([
        'rec-0001',
        'rec-0002',
        'rec-0004',
        'rec-0005',
      ]);
      expect(result.accepted.every((a) => a.alreadyPosted === undefined)).toBe(true);
      expect(result.rejected).toEqual([
        {
          recordId: 'rec-0003',
          code: 'GL_IMPORT_ITEM_ERROR',
          category: 'validation',
          retryable: false,
          // Xledger's messages for the voucher's lines, verbatim.
          reason:
            'Account 7140 is closed for posting / The voucher was refused because another of its lines was',
        },
      ]);
      expectEachOnce(records.map((r) => r.id));
      expect(emulators.stats('xledger').writes).toBe(3);
      const booked = emulators.xledgerJournalEntries().map((e) => e.extIdentifier);
      expect(booked).not.toContain('rec-0003');
      expect(booked).toHaveLength(8);
    });

    it('still staged at the bound: unverified POSTED_NOT_FOUND, and neither this attempt nor a re-sync imports it again', async () => {
      emulators.setFaults('xledger', { ...listing, processingDelayMs: 3_600_000 });
      const records = makeRecords(3);
      const options = () =>
        fastOptions({ ...virtualTime(), xledgerProcessingWait: { firstPollMs: 1_000, maxWaitMs: 30_000 } });
      const first = await createAdapter('xledger', connection(), options()).pushBatch(
        records,
        batchContext(),
      );
      expect(first.accepted).toEqual([]);
      for (const rejection of first.rejected) {
        expect(rejection).toMatchObject({
          code: 'POSTED_NOT_FOUND',
          unverified: true,
          category: 'configuration',
        });
        expect(rejection.reason).toMatch(/not processed within 30 s/);
        expect(classifyRejection('xledger', { code: rejection.code, message: rejection.reason }).code).toBe(
          'POSTED_NOT_FOUND',
        );
      }
      // A re-sync (readBackFirst) and a re-sync told these were never found (neverSend) import nothing.
      await createAdapter('xledger', connection(), options()).pushBatch(
        records,
        batchContext({ readBackFirst: true }),
      );
      const third = await createAdapter('xledger', connection(), options()).pushBatch(
        records,
        batchContext({ neverSend: new Set(records.map((r) => r.id)) }),
      );
      expect(third.rejected.map((r) => r.unverified)).toEqual([true, true, true]);
      expect(emulators.stats('xledger').writes).toBe(1);
      expectEachOnce(records.map((r) => r.id));
    });

    it('staged with errors → reopen → reprocess: a re-sync finds them processed and succeeds without importing', async () => {
      const records = makeRecords(3).map((r) => (r.id === 'rec-0002' ? { ...r, account: '7140' } : r));
      emulators.setFaults('xledger', { ...listing, closedAccounts: ['7140'] });
      const first = await createAdapter('xledger', connection(), pollingOptions()).pushBatch(
        records,
        batchContext(),
      );
      expect(first.rejected.map((r) => [r.recordId, r.code])).toEqual([['rec-0002', 'GL_IMPORT_ITEM_ERROR']]);

      // The account is reopened, but the staged items keep their error until someone reprocesses them.
      emulators.setFaults('xledger', { ...listing });
      const again = await createAdapter('xledger', connection(), pollingOptions()).pushBatch(
        records,
        batchContext(),
      );
      expect(again.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
        ['rec-0001', true],
        ['rec-0003', true],
      ]);
      const [staged] = again.rejected;
      expect(staged).toMatchObject({
        recordId: 'rec-0002',
        code: 'XLEDGER_STAGED_WITH_ERRORS',
        retryable: false,
        // The read-back found its earlier write, refused: an unverified posting of it is settled.
        foundInLedger: true,
      });
      expect(first.rejected[0]?.foundInLedger).toBeUndefined();
      // Says the items are still staged from an earlier attempt and quotes Xledger's current error.
      expect(staged?.reason).toMatch(/still staged in Xledger from an earlier attempt/);
      expect(staged?.reason).toMatch(/Xledger now says: Account 7140 is closed for posting/);
      // The catalogue explains it as staged items, not as the (stale) closed account.
      expect(
        classifyRejection('xledger', { code: staged?.code ?? '', message: staged?.reason ?? '' }).code,
      ).toBe('STAGED_WITH_ERRORS');

      // The accountant reprocesses them in Xledger's import screen.
      expect(await control('reprocess')).toEqual({
        status: 200,
        body: { reprocessed: 2, processed: 2, refused: 0 },
      });
      const resync = await createAdapter('xledger', connection(), pollingOptions()).pushBatch(
        records,
        batchContext(),
      );
      expect(resync.rejected).toEqual([]);
      expect(resync.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
        ['rec-0001', true],
        ['rec-0002', true],
        ['rec-0003', true],
      ]);
      expect(emulators.stats('xledger').writes).toBe(1);
      expectEachOnce(records.map((r) => r.id));
      expect(emulators.ledger('xledger').every((i) => i.status === 'processed')).toBe(true);
    });

    it('staged with errors → delete-errored: a re-sync imports the record exactly once', async () => {
      const records = makeRecords(2).map((r) => (r.id === 'rec-0002' ? { ...r, account: '7140' } : r));
      emulators.setFaults('xledger', { ...listing, closedAccounts: ['7140'] });
      await createAdapter('xledger', connection(), pollingOptions()).pushBatch(records, batchContext());
      expect(statusOf('rec-0002')).toBe('error');

      expect(await control('delete-errored')).toEqual({ status: 200, body: { deleted: 2 } });
      expect(statusOf('rec-0002')).toBeUndefined();
      expect(emulators.xledgerImportErrors()).toEqual([]);
      emulators.setFaults('xledger', { ...listing });
      const resync = await createAdapter('xledger', connection(), pollingOptions()).pushBatch(
        records,
        batchContext(),
      );
      expect(resync.rejected).toEqual([]);
      expect(resync.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
        ['rec-0001', true],
        ['rec-0002', undefined],
      ]);
      expect(emulators.stats('xledger').writes).toBe(2);
      expectEachOnce(records.map((r) => r.id));
    });
  },
);

describe('XledgerAdapter — a write that went through is never repeated on a read-back miss', () => {
  it('the import succeeded but no read-back finds it (a ledger that rewrote the key): unverified, one import only', async () => {
    // The read-backs answer as if nothing carried our extIdentifiers.
    const blind: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = typeof init?.body === 'string' ? init.body : '';
      if (!/journalEntries|glImportItems\(/.test(body) || body.includes('addGLImportItems')) return response;
      const json = (await response.json()) as { data: Record<string, unknown> };
      const empty = { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false } };
      const data = Object.fromEntries(Object.keys(json.data).map((k) => [k, empty]));
      return new Response(JSON.stringify({ data }), { status: 200, headers: response.headers });
    };
    const records = makeRecords(4);
    const options = () =>
      fastOptions({
        ...virtualTime(),
        fetch: blind,
        xledgerProcessingWait: { firstPollMs: 500, maxWaitMs: 5_000 },
      });
    const result = await createAdapter('xledger', connection(), options()).pushBatch(records, batchContext());
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => [r.code, r.unverified])).toEqual(
      records.map(() => ['POSTED_NOT_FOUND', true]),
    );
    // The next attempt is told these were written but never found: it reads back and never sends them.
    const again = await createAdapter('xledger', connection(), options()).pushBatch(
      records,
      batchContext({ neverSend: new Set(records.map((r) => r.id)) }),
    );
    expect(again.rejected.map((r) => [r.code, r.unverified])).toEqual(
      records.map(() => ['POSTED_NOT_FOUND', true]),
    );
    expect(again.rejected[0]?.reason).toMatch(/no GL import item or journal entry carries its extIdentifier/);
    expect(emulators.stats('xledger').writes).toBe(1);
    expectEachOnce(records.map((r) => r.id));
  });

  it('neverSend records the ledger holds are accepted as already posted, nothing sent', async () => {
    const records = makeRecords(3);
    await createAdapter('xledger', connection(), fastOptions()).pushBatch(records, batchContext());
    const again = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      records,
      batchContext({ neverSend: new Set(['rec-0002']) }),
    );
    expect(again.accepted.map((a) => [a.recordId, a.alreadyPosted])).toEqual([
      ['rec-0001', true],
      ['rec-0002', true],
      ['rec-0003', true],
    ]);
    expect(emulators.stats('xledger').writes).toBe(1);
  });

  it('the retry budget belongs to the attempt: writes that succeed do not buy more retries', async () => {
    // Every import is throttled once before it goes through (BAD_REQUEST.BURST_RATE_LIMIT_REACHED,
    // spec "Xledger" errors). With 3 attempts per batch, the third throttle ends the attempt.
    const throttleEachWrite: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string' && init.body.includes('addGLImportItems')) {
        const left = emulators.faults('xledger').throttle ?? 0;
        if (left === 0 && !throttledOnce.has(init.body)) {
          throttledOnce.add(init.body);
          emulators.setFaults('xledger', { throttle: 1 });
        }
      }
      return fetch(input, init);
    };
    const throttledOnce = new Set<string>();
    const records = makeRecords(6);
    const adapter = createAdapter(
      'xledger',
      connection(),
      fastOptions({ itemsPerRequest: 2, fetch: throttleEachWrite, retry: { maxAttempts: 3 } }),
    );
    await expect(adapter.pushBatch(records, batchContext())).rejects.toMatchObject({
      details: { category: 'rate_limit' },
    });
    expect(emulators.stats('xledger')).toMatchObject({ throttled: 3, writes: 2 });
    // The next attempt reads back and imports only what is missing.
    const next = await createAdapter('xledger', connection(), fastOptions({ itemsPerRequest: 2 })).pushBatch(
      records,
      batchContext(),
    );
    expect(next.accepted.filter((a) => a.alreadyPosted).map((a) => a.recordId)).toEqual([
      'rec-0001',
      'rec-0002',
      'rec-0003',
      'rec-0004',
    ]);
    expectEachOnce(records.map((r) => r.id));
  });
});

describe('XledgerAdapter — processing wait settings', () => {
  it.each([
    [{ firstPollMs: 0 }, /firstPollMs must be a whole number of milliseconds ≥ 1/],
    [{ maxWaitMs: -1 }, /maxWaitMs must be a whole number of milliseconds ≥ 0/],
    [{ maxWaitMs: 1.5 }, /maxWaitMs/],
  ])('refuses %o with a RangeError naming the setting', (wait, message) => {
    expect(() => createAdapter('xledger', connection(), { xledgerProcessingWait: wait })).toThrow(message);
  });

  it('polls with exponential backoff from firstPollMs, bounded by maxWaitMs', async () => {
    emulators.setFaults('xledger', { processingDelayMs: 3_600_000 });
    const time = virtualTime();
    const waits: number[] = [];
    const adapter = createAdapter(
      'xledger',
      connection(),
      fastOptions({
        ...time,
        sleep: async (ms, signal) => {
          waits.push(ms);
          await time.sleep?.(ms, signal);
        },
        xledgerProcessingWait: { firstPollMs: 1_000, maxWaitMs: 20_000 },
      }),
    );
    await adapter.pushBatch(makeRecords(1), batchContext());
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 5_000]);
    // Read-back, import, the check after the import, and one check per poll.
    expect(adapter.requests).toEqual({ reads: 7, writes: 1 });
  });
});

describe('XledgerAdapter — fencing', () => {
  it('a beforeWrite that throws after the first import: no further import reaches Xledger, the error propagates unchanged', async () => {
    const lost = new Error('lease lost: epoch 7 is no longer ours');
    let calls = 0;
    const beforeWrite = async () => {
      calls += 1;
      if (calls > 1) throw lost;
    };
    const adapter = createAdapter('xledger', connection(), fastOptions({ itemsPerRequest: 2 }));
    await expect(adapter.pushBatch(makeRecords(6), batchContext({ beforeWrite }))).rejects.toBe(lost);
    expect(calls).toBe(2);
    expect(emulators.stats('xledger').writes).toBe(1);
    expectEachOnce(['rec-0001', 'rec-0002']);
  });

  it('beforeWrite is awaited before every import, and only then', async () => {
    const seen: number[] = [];
    const beforeWrite = async () => {
      seen.push(emulators.stats('xledger').writes);
    };
    await createAdapter('xledger', connection(), fastOptions({ itemsPerRequest: 2 })).pushBatch(
      makeRecords(5),
      batchContext({ beforeWrite }),
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(emulators.stats('xledger').writes).toBe(3);
  });
});

describe('XledgerAdapter — API cost (help centre article 33393587744786: 5,000 requests a month included)', () => {
  it('a fresh 100-record batch costs 3 requests: one read-back, one import, one processing check', async () => {
    const adapter = createAdapter('xledger', connection(), fastOptions());
    await adapter.pushBatch(makeRecords(100), batchContext());
    expect(adapter.requests).toEqual({ reads: 2, writes: 1 });
    expect(emulators.stats('xledger').requests).toBe(3);
  });

  it('a re-push of 100 records already booked costs one request', async () => {
    await createAdapter('xledger', connection(), fastOptions()).pushBatch(makeRecords(100), batchContext());
    const adapter = createAdapter('xledger', connection(), fastOptions());
    const again = await adapter.pushBatch(makeRecords(100), batchContext());
    expect(again.accepted.every((a) => a.alreadyPosted)).toBe(true);
    expect(adapter.requests).toEqual({ reads: 1, writes: 0 });
  });
});
