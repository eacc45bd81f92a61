import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { AccountingError, createAdapter } from '../src/index.js';
import { batchContext, expenseLines, failure, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.xledger;

describe('XledgerAdapter — per-record rejections', () => {
  it('reports closed accounts, zero amounts and refused ids as validation, without retrying them', async () => {
    emulators.setFaults('xledger', {
      closedAccounts: ['7350'],
      rejectZeroAmounts: true,
      rejectRecordIds: ['rec-0003'],
    });
    const records = makeRecords(5);
    records[0] = { ...records[0], id: 'rec-0001', account: '7350' } as (typeof records)[0];
    records[1] = { ...records[1], id: 'rec-0002', amountMinor: 0 } as (typeof records)[0];
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );

    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0004', 'rec-0005']);
    expect(result.rejected.map((r) => r.recordId)).toEqual(['rec-0001', 'rec-0002', 'rec-0003']);
    // Read from glImportItemErrors after the import (grasp-labs glImportItemErrors asset); the
    // vendor's message is kept verbatim.
    for (const rejection of result.rejected) {
      expect(rejection).toMatchObject({
        code: 'GL_IMPORT_ITEM_ERROR',
        category: 'validation',
        retryable: false,
      });
    }
    expect(result.rejected[0]?.reason).toMatch(/7350 is closed/);
    expect(result.rejected[1]?.reason).toMatch(/zero/);
    // read-back, one mutation, one glImportItemErrors read; no retry.
    expect(emulators.stats('xledger')).toMatchObject({ requests: 3, writes: 1 });
    const processed = emulators.ledger('xledger').filter((i) => i.status === 'processed');
    expect(expenseLines(processed)).toEqual(['rec-0004', 'rec-0005']);
  });

  it('refuses a record that breaks the export schema before sending anything', async () => {
    const records = makeRecords(2);
    const broken = { ...records[0], amountMinor: 1.5 } as (typeof records)[0];
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      [broken, records[1] as (typeof records)[0]],
      batchContext(),
    );
    expect(result.rejected).toEqual([
      expect.objectContaining({ recordId: 'rec-0001', code: 'INVALID_RECORD', category: 'validation' }),
    ]);
    expect(emulators.ledger('xledger').map((i) => i.extIdentifier)).toEqual(['rec-0002', 'rec-0002:contra']);
    expect(result.externalReferenceId).not.toBeNull();
  });

  it('returns no reference when nothing was accepted', async () => {
    emulators.setFaults('xledger', { rejectZeroAmounts: true });
    const result = await createAdapter('xledger', connection(), fastOptions()).pushBatch(
      makeRecords(2, 'zero', { amountMinor: 0 }),
      batchContext(),
    );
    expect(result.accepted).toEqual([]);
    expect(result.externalReferenceId).toBeNull();
  });

  it('refuses a batch that holds one record id twice, sending nothing', async () => {
    const [one] = makeRecords(1);
    const error = await failure(
      createAdapter('xledger', connection(), fastOptions()).pushBatch([one, one] as never, batchContext()),
    );
    expect(error.details).toMatchObject({
      code: 'DUPLICATE_RECORD_ID',
      category: 'validation',
      retryable: false,
    });
    expect(emulators.stats('xledger').requests).toBe(0);
  });
});

describe('XledgerAdapter — throttling', () => {
  it('backs off on BURST_RATE_LIMIT_REACHED for at least the advertised wait, then succeeds', async () => {
    emulators.setFaults('xledger', { throttle: 2, retryAfterSeconds: 2 });
    const options = fastOptions();
    const result = await createAdapter('xledger', connection(), options).pushBatch(
      makeRecords(3),
      batchContext(),
    );
    expect(result.accepted).toHaveLength(3);
    expect(options.waits).toHaveLength(2);
    expect(options.waits.every((w) => w >= 2_000)).toBe(true);
    // Two throttled answers, then read-back, write, glImportItemErrors.
    expect(emulators.stats('xledger')).toMatchObject({ throttled: 2, requests: 5, writes: 1 });
    expect(expenseLines(emulators.ledger('xledger'))).toHaveLength(3);
  });

  it('treats CONCURRENCY_LIMIT_REACHED the same way and gives up as a retryable rate_limit error', async () => {
    emulators.setFaults('xledger', { throttle: 10, throttleCode: 'BAD_REQUEST.CONCURRENCY_LIMIT_REACHED' });
    const error = await failure(
      createAdapter('xledger', connection(), fastOptions({ retry: { maxAttempts: 3 } })).pushBatch(
        makeRecords(1),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({
      code: 'BAD_REQUEST.CONCURRENCY_LIMIT_REACHED',
      category: 'rate_limit',
      retryable: true,
    });
    expect(emulators.stats('xledger').requests).toBe(3);
  });
});

describe('XledgerAdapter — whole-request failures', () => {
  it('gives up on persistent 5xx with a retryable unavailable error after maxAttempts', async () => {
    emulators.setFaults('xledger', { serverErrors: 100 });
    const error = await failure(
      createAdapter('xledger', connection(), fastOptions({ retry: { maxAttempts: 4 } })).pushBatch(
        makeRecords(2),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({ category: 'unavailable', retryable: true, httpStatus: 503 });
    expect(emulators.stats('xledger').requests).toBe(4);
    expect(expenseLines(emulators.ledger('xledger'))).toHaveLength(0);
  });

  it('fails a bad token as non-retryable auth after one request', async () => {
    const error = await failure(
      createAdapter('xledger', { ...connection(), apiToken: 'wrong' }, fastOptions()).pushBatch(
        makeRecords(2),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({ category: 'auth', retryable: false });
    expect(error.message).toMatch(/bad format for api token/);
    expect(emulators.stats('xledger').requests).toBe(1);
  });

  it('reports an auth failure from the connection check', async () => {
    emulators.setFaults('xledger', { authFailure: true });
    const check = await createAdapter('xledger', connection(), fastOptions()).checkConnection();
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.error.details.category).toBe('auth');
  });

  it('fails INSUFFICIENT_CREDITS as non-retryable configuration', async () => {
    emulators.setFaults('xledger', { insufficientCredits: true });
    const error = await failure(
      createAdapter('xledger', connection(), fastOptions()).pushBatch(makeRecords(1), batchContext()),
    );
    expect(error.details).toMatchObject({
      code: 'BAD_REQUEST.INSUFFICIENT_CREDITS',
      category: 'configuration',
      retryable: false,
    });
    expect(emulators.stats('xledger').requests).toBe(1);
  });

  it('types a body that stays malformed as MALFORMED_RESPONSE, and posts nothing twice meanwhile', async () => {
    emulators.setFaults('xledger', { malformed: 100 });
    const error = await failure(
      createAdapter('xledger', connection(), fastOptions({ retry: { maxAttempts: 3 } })).pushBatch(
        makeRecords(3),
        batchContext(),
      ),
    );
    expect(error).toBeInstanceOf(AccountingError);
    expect(error.details).toMatchObject({ code: 'MALFORMED_RESPONSE', retryable: true });
    // Every answer is cut off, so the read-back never succeeds and nothing is ever written.
    expect(emulators.ledger('xledger')).toHaveLength(0);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('recovers from one malformed answer to a write by reading back', async () => {
    let cut = false;
    const cutFirstWrite: typeof fetch = async (input, init) => {
      if (!cut && typeof init?.body === 'string' && init.body.includes('addGLImportItems')) {
        cut = true;
        emulators.setFaults('xledger', { malformed: 1 });
      }
      return fetch(input, init);
    };
    const result = await createAdapter(
      'xledger',
      connection(),
      fastOptions({ fetch: cutFirstWrite }),
    ).pushBatch(makeRecords(4), batchContext());
    expect(result.accepted).toHaveLength(4);
    expect(result.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expect(expenseLines(emulators.ledger('xledger'))).toHaveLength(4);
    expect(emulators.stats('xledger')).toMatchObject({ writes: 1 });
  });
});
