import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { eachPostedOnce, postedCounts } from './support/dynamics.js';
import { batchContext, failure, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.dynamics;

describe('DynamicsAdapter — per-record rejections', () => {
  it('reports Application_* refusals as validation, never retried', async () => {
    emulators.setFaults('dynamics', {
      closedAccounts: ['9999'],
      rejectZeroAmounts: true,
      rejectRecordIds: ['rec-0003'],
    });
    const records = makeRecords(5);
    records[0] = { ...records[0], account: '9999' } as (typeof records)[0];
    records[1] = { ...records[1], amountMinor: 0 } as (typeof records)[0];
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );

    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0004', 'rec-0005']);
    expect(result.rejected.map((r) => r.recordId)).toEqual(['rec-0001', 'rec-0002', 'rec-0003']);
    for (const rejection of result.rejected) {
      expect(rejection).toMatchObject({
        code: 'Application_FieldValidationException',
        category: 'validation',
        retryable: false,
      });
      expect(rejection.reason).not.toMatch(/CorrelationId/);
    }
    expect(result.rejected[0]?.reason).toMatch(/9999 is closed/);
    // One $batch and one post: nothing retried.
    expect(emulators.stats('dynamics')).toMatchObject({ requests: 6, writes: 2 });
    expect([...postedCounts(emulators, records).values()]).toEqual([0, 0, 0, 1, 1]);
  });

  it("refuses an account missing from the chart of accounts per record, with BC's own message", async () => {
    const records = makeRecords(2);
    records[0] = { ...records[0], account: '4711' } as (typeof records)[0];
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.rejected).toEqual([
      expect.objectContaining({
        recordId: 'rec-0001',
        code: 'Application_FieldValidationException',
        reason: 'The "accountNumber" does not match to an Account.',
      }),
    ]);
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0002']);
  });

  it('keeps an id longer than externalDocumentNumber (Code[35]): that field is informational, the document number is the key', async () => {
    const [record] = makeRecords(1);
    const id = `x${'y'.repeat(40)}`;
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      [{ ...(record as NonNullable<typeof record>), id }],
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual([id]);
    expect(eachPostedOnce(emulators, [{ id }])).toBe(true);
  });

  it('posts nothing when every record is refused (no "nothing to post" call)', async () => {
    emulators.setFaults('dynamics', { rejectRecordIds: ['rec-0001'] });
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      makeRecords(1),
      batchContext(),
    );
    expect(result.externalReferenceId).toBeNull();
    expect(emulators.stats('dynamics').writes).toBe(1);
  });

  it('refuses to push without a balancing account, naming the setting', async () => {
    const { balancingAccountNumber: _omitted, ...withoutBalancing } = connection();
    const error = await failure(
      createAdapter('dynamics', withoutBalancing, fastOptions()).pushBatch(makeRecords(1), batchContext()),
    );
    expect(error.details).toMatchObject({ category: 'configuration', retryable: false });
    expect(error.message).toMatch(/balancingAccountNumber/);
    expect(emulators.stats('dynamics').requests).toBe(0);
  });
});

describe('DynamicsAdapter — throttling', () => {
  it('waits at least Retry-After after a 429, then succeeds', async () => {
    emulators.setFaults('dynamics', { throttle: 1, retryAfterSeconds: 3 });
    const options = fastOptions();
    const result = await createAdapter('dynamics', connection(), options).pushBatch(
      makeRecords(4),
      batchContext(),
    );
    expect(result.accepted).toHaveLength(4);
    expect(options.waits).toHaveLength(1);
    expect(options.waits[0]).toBeGreaterThanOrEqual(3_000);
    expect(emulators.stats('dynamics')).toMatchObject({ throttled: 1 });
    expect(emulators.ledger('dynamics')).toHaveLength(8);
  });

  it('really sleeps the Retry-After with the default sleep (a 50 ms header, measured)', async () => {
    emulators.setFaults('dynamics', { throttle: 1, retryAfterSeconds: 0.05 });
    const { sleep: _recording, waits: _w, ...options } = fastOptions();
    const started = performance.now();
    const result = await createAdapter('dynamics', connection(), options).pushBatch(
      makeRecords(1),
      batchContext(),
    );
    expect(result.accepted).toHaveLength(1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('gives up on persistent throttling with a retryable rate_limit error', async () => {
    emulators.setFaults('dynamics', { throttle: 50, retryAfterSeconds: 1 });
    const error = await failure(
      createAdapter('dynamics', connection(), fastOptions({ retry: { maxAttempts: 3 } })).pushBatch(
        makeRecords(1),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({
      category: 'rate_limit',
      retryable: true,
      httpStatus: 429,
      retryAfterMs: 1_000,
    });
  });
});

describe('DynamicsAdapter — whole-request failures', () => {
  it('gives up on persistent 5xx with a retryable unavailable error that keeps the CorrelationId', async () => {
    emulators.setFaults('dynamics', { serverErrors: 100 });
    const error = await failure(
      createAdapter('dynamics', connection(), fastOptions({ retry: { maxAttempts: 3 } })).pushBatch(
        makeRecords(2),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({
      code: 'Internal_ServerError',
      providerCode: 'Internal_ServerError',
      category: 'unavailable',
      retryable: true,
      httpStatus: 503,
    });
    expect(error.details.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulators.stats('dynamics').requests).toBe(3);
    expect(emulators.ledger('dynamics')).toHaveLength(0);
  });

  it('fails refused client credentials as non-retryable auth', async () => {
    const error = await failure(
      createAdapter('dynamics', { ...connection(), clientSecret: 'wrong' }, fastOptions()).pushBatch(
        makeRecords(1),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({
      code: 'invalid_client',
      category: 'auth',
      retryable: false,
      httpStatus: 401,
    });
    expect(error.details.correlationId).toBeDefined();
    expect(emulators.stats('dynamics')).toMatchObject({ tokenRequests: 1, requests: 0 });
  });

  it('fails an unknown company as non-retryable configuration (404 BadRequest_NotFound)', async () => {
    const check = await createAdapter(
      'dynamics',
      { ...connection(), companyId: '00000000-0000-0000-0000-0000000000aa' },
      fastOptions(),
    ).checkConnection();
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.error.details).toMatchObject({
      category: 'configuration',
      retryable: false,
    });
  });

  it('types a body that stays malformed as MALFORMED_RESPONSE and posts nothing twice', async () => {
    emulators.setFaults('dynamics', { malformed: 100 });
    const error = await failure(
      createAdapter('dynamics', connection(), fastOptions({ retry: { maxAttempts: 3 } })).pushBatch(
        makeRecords(3),
        batchContext(),
      ),
    );
    expect(error.details).toMatchObject({ code: 'MALFORMED_RESPONSE', retryable: true });
    expect(emulators.ledger('dynamics')).toHaveLength(0);
  });

  it('recovers from one malformed answer: each record posted once', async () => {
    emulators.setFaults('dynamics', { malformed: 1 });
    const records = makeRecords(3);
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(3);
    expect(eachPostedOnce(emulators, records)).toBe(true);
  });
});
