import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { AccountingError, DynamicsAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
let emulatorNow = Date.now();
beforeAll(async () => {
  emulators = await startEmulators({ tokenTtlSeconds: 600, now: () => emulatorNow });
});
afterAll(() => emulators.close());
beforeEach(() => {
  emulators.reset();
  emulatorNow = Date.now();
});

describe('DynamicsAdapter — OAuth client-credentials token', () => {
  it('fetches one token and reuses it across batches', async () => {
    const adapter = new DynamicsAdapter(emulators.connections.dynamics, fastOptions());
    for (const batchNumber of [1, 2, 3]) {
      await adapter.pushBatch(makeRecords(2, `b${batchNumber}`), batchContext({ batchNumber }));
    }
    expect(emulators.stats('dynamics').tokenRequests).toBe(1);
    expect(adapter.tokens.requests).toBe(1);
    expect(emulators.ledger('dynamics')).toHaveLength(12);
  });

  it('refreshes once when the API answers 401 to a cached token, then succeeds', async () => {
    const adapter = new DynamicsAdapter(emulators.connections.dynamics, fastOptions());
    await adapter.pushBatch(makeRecords(1, 'first'), batchContext());
    emulators.revokeTokens();
    const result = await adapter.pushBatch(makeRecords(1, 'second'), batchContext({ batchNumber: 2 }));
    expect(result.accepted).toHaveLength(1);
    expect(emulators.stats('dynamics')).toMatchObject({ tokenRequests: 2, authFailures: 1 });
  });

  it('renews the token before it expires on its own clock', async () => {
    let adapterNow = Date.now();
    const adapter = new DynamicsAdapter(
      emulators.connections.dynamics,
      fastOptions({ clock: { now: () => adapterNow } }),
    );
    await adapter.pushBatch(makeRecords(1, 'a'), batchContext());
    adapterNow += 599_000;
    emulatorNow += 599_000;
    await adapter.pushBatch(makeRecords(1, 'b'), batchContext({ batchNumber: 2 }));
    expect(emulators.stats('dynamics')).toMatchObject({ tokenRequests: 2, authFailures: 0 });
  });

  it('gives up with a non-retryable auth error when a fresh token is refused too', async () => {
    const adapter = new DynamicsAdapter(emulators.connections.dynamics, fastOptions());
    await adapter.pushBatch(makeRecords(1, 'a'), batchContext());
    emulators.setFaults('dynamics', { authFailure: true });
    const error = await adapter.pushBatch(makeRecords(1, 'b'), batchContext()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountingError);
    expect((error as AccountingError).details).toMatchObject({ category: 'auth', retryable: false });
    // The cached token was refused (401), one refresh was tried and refused: no loop
    // (6 requests for the first push, 1 for the second).
    expect(emulators.stats('dynamics')).toMatchObject({ tokenRequests: 2, requests: 7 });
  });
});
