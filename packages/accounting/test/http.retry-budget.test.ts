import { describe, expect, it } from 'vitest';
import { AccountingError, backoffDelay, RetryBudget, resolveRetryPolicy, withRetries } from '../src/index.js';

const retryable = (retryAfterMs?: number) =>
  new AccountingError('busy', {
    code: 'UNAVAILABLE',
    category: 'unavailable',
    retryable: true,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });

describe('backoffDelay (exponential, full jitter)', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('stays between 0 and the capped exponential step', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
  });
});

describe('RetryBudget', () => {
  it('lets the provider’s Retry-After win over a shorter jittered wait', () => {
    const budget = new RetryBudget(resolveRetryPolicy({ baseDelayMs: 10, maxDelayMs: 10 }), () => 0.5);
    expect(budget.delayAfter(retryable(2_000))).toBe(2_000);
    expect(budget.delayAfter(retryable())).toBe(5);
  });

  it('gives up after maxAttempts, keeping the error retryable for the caller', () => {
    const budget = new RetryBudget(resolveRetryPolicy({ maxAttempts: 3, baseDelayMs: 1 }), () => 0);
    budget.delayAfter(retryable());
    budget.delayAfter(retryable());
    const thrown = (() => {
      try {
        budget.delayAfter(retryable());
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(AccountingError);
    expect((thrown as AccountingError).details).toMatchObject({ retryable: true, category: 'unavailable' });
    expect((thrown as AccountingError).message).toMatch(/gave up after 3 attempts/);
  });

  it('gives up when the next wait would exceed the total wait budget', () => {
    const budget = new RetryBudget(resolveRetryPolicy({ maxTotalWaitMs: 1_500, maxAttempts: 10 }), () => 0);
    expect(budget.delayAfter(retryable(1_000))).toBe(1_000);
    expect(() => budget.delayAfter(retryable(1_000))).toThrow(/retry budget/);
    expect(budget.waited).toBe(1_000);
  });

  it('throws a non-retryable error at once', () => {
    const budget = new RetryBudget(resolveRetryPolicy(), () => 0);
    const auth = new AccountingError('no', { code: 'AUTH', category: 'auth', retryable: false });
    expect(() => budget.delayAfter(auth)).toThrow(auth);
  });

  it('refuses a nonsensical policy', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(RangeError);
  });
});

describe('withRetries', () => {
  it('repeats until success and sleeps between attempts', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw retryable(7);
        return 'done';
      },
      new RetryBudget(resolveRetryPolicy({ baseDelayMs: 1, maxDelayMs: 1 }), () => 0),
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(waits).toEqual([7, 7]);
  });

  it('keeps counting failures across a success when told not to reset (a read settling a write)', async () => {
    const budget = new RetryBudget(resolveRetryPolicy({ maxAttempts: 3, baseDelayMs: 1 }), () => 0);
    let calls = 0;
    const settle = async () => {
      calls += 1;
      if (calls === 1) throw retryable();
      return 'read';
    };
    await expect(
      withRetries(settle, budget, async () => {}, undefined, { resetOnSuccess: false }),
    ).resolves.toBe('read');
    budget.delayAfter(retryable());
    expect(() => budget.delayAfter(retryable())).toThrow(/gave up after 3 attempts/);
  });

  it('starts the count over after a success by default', async () => {
    const budget = new RetryBudget(resolveRetryPolicy({ maxAttempts: 3, baseDelayMs: 1 }), () => 0);
    let calls = 0;
    const read = async () => {
      calls += 1;
      if (calls === 1) throw retryable();
      return 'read';
    };
    await withRetries(read, budget, async () => {});
    budget.delayAfter(retryable());
    expect(budget.delayAfter(retryable())).toBe(0);
  });

  it('does not retry errors that are not AccountingErrors', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls += 1;
          throw new TypeError('bug');
        },
        new RetryBudget(resolveRetryPolicy(), () => 0),
        async () => {},
      ),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});
