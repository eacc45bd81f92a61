import { AccountingError } from '../port.js';
import type { Sleep } from './clock.js';
import type { RetryBudget } from './retry-budget.js';

/**
 * Run `operation` until it succeeds, the error is not retryable, or the budget is spent. The
 * operation is called again from the start, so it must be safe to repeat (reads are; writes are
 * made so by reading back first — see the adapters). A success starts the count of consecutive
 * failures over unless `resetOnSuccess` is false: a read that settles a write belongs to the write.
 */
export async function withRetries<T>(
  operation: () => Promise<T>,
  budget: RetryBudget,
  sleep: Sleep,
  signal?: AbortSignal,
  { resetOnSuccess = true }: { resetOnSuccess?: boolean } = {},
): Promise<T> {
  for (;;) {
    try {
      const result = await operation();
      if (resetOnSuccess) budget.succeeded();
      return result;
    } catch (error) {
      if (!(error instanceof AccountingError)) throw error;
      await sleep(budget.delayAfter(error), signal);
    }
  }
}
