import type { AccountingSystem } from '@meander/domain';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { classifyRejection } from '../src/rejections/index.js';
import { batchContext, failure, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const SYSTEMS: AccountingSystem[] = ['xledger', 'dynamics'];

describe.each(SYSTEMS)('the catalogue explains what the %s emulator answers', (system) => {
  const adapter = () => createAdapter(system, emulators.connections[system], fastOptions());

  it('per-record rejections: closed account, zero amount, a refused record', async () => {
    emulators.setFaults(system, {
      // 7140 is in both emulators' charts of accounts: closed, not unknown.
      closedAccounts: ['7140'],
      rejectZeroAmounts: true,
      rejectRecordIds: ['rec-0003'],
    });
    const records = makeRecords(4);
    records[0] = { ...records[0], account: '7140' } as (typeof records)[0];
    records[1] = { ...records[1], amountMinor: 0 } as (typeof records)[0];
    const result = await adapter().pushBatch(records, batchContext());
    const explained = Object.fromEntries(
      result.rejected.map((r) => [
        r.recordId,
        classifyRejection(system, { code: r.code, message: r.reason }),
      ]),
    );
    expect(explained['rec-0001']).toMatchObject({ code: 'ACCOUNT_BLOCKED', category: 'master_data' });
    expect(explained['rec-0002']).toMatchObject({ code: 'AMOUNT_INVALID', category: 'validation' });
    expect(explained['rec-0003']).toMatchObject({ code: 'RECORD_REFUSED_BY_RULE', category: 'validation' });
  });

  it('a refused credential is auth', async () => {
    emulators.setFaults(system, { authFailure: true });
    const error = await failure(adapter().pushBatch(makeRecords(1), batchContext()));
    expect(classifyRejection(system, { code: error.details.code, message: error.message })).toMatchObject({
      code: 'CREDENTIALS_REJECTED',
      category: 'auth',
      retryable: false,
    });
  });

  it('an outage that outlasts the retries is transient', async () => {
    emulators.setFaults(system, { serverErrors: 50 });
    const error = await failure(adapter().pushBatch(makeRecords(1), batchContext()));
    expect(classifyRejection(system, { code: error.details.code, message: error.message })).toMatchObject({
      category: 'transient',
      retryable: true,
    });
  });

  it('throttling that outlasts the retries is transient', async () => {
    emulators.setFaults(system, { throttle: 50, retryAfterSeconds: 0 });
    const error = await failure(adapter().pushBatch(makeRecords(1), batchContext()));
    expect(classifyRejection(system, { code: error.details.code, message: error.message })).toMatchObject({
      code: 'RATE_LIMITED',
      category: 'transient',
    });
  });
});

describe('Xledger-only answers', () => {
  it('used-up credits are a configuration problem', async () => {
    emulators.setFaults('xledger', { insufficientCredits: true });
    const error = await failure(
      createAdapter('xledger', emulators.connections.xledger, fastOptions()).pushBatch(
        makeRecords(1),
        batchContext(),
      ),
    );
    expect(classifyRejection('xledger', { code: error.details.code, message: error.message })).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      category: 'configuration',
    });
  });
});
