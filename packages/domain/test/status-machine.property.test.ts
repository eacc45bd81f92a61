import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canTransition,
  DomainError,
  isTerminalStatus,
  planComplete,
  planFail,
  planProgress,
  planStart,
  SYNC_STATUSES,
} from '../src/index.js';
import { pendingLog } from './helpers.js';

const details = { code: 'X', message: 'boom', category: 'unknown' as const, retryable: false };
const count = fc.integer({ min: 0, max: 12 });
const command = fc.oneof(
  fc.constant({ kind: 'start' as const }),
  fc.record({ kind: fc.constant('progress' as const), synced: count, failed: count }),
  fc.record({
    kind: fc.constant('complete' as const),
    synced: count,
    failed: count,
    withDetails: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('fail' as const), withDetails: fc.boolean() }),
);

describe('the status machine', () => {
  it('allows exactly the documented moves', () => {
    const allowed = new Set([
      'pending>in_progress',
      'pending>failed',
      'in_progress>success',
      'in_progress>partial',
      'in_progress>failed',
    ]);
    for (const from of SYNC_STATUSES) {
      for (const to of SYNC_STATUSES) expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
    }
  });

  it('never leaves a terminal state and reaches one at most once, whatever the commands', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 12 }), (commands) => {
        let log = pendingLog;
        let terminalTransitions = 0;
        for (const c of commands) {
          const before = log;
          try {
            const now = '2026-11-01T03:00:00.000Z';
            if (c.kind === 'start') log = planStart(log, now).syncLog;
            if (c.kind === 'progress')
              log = planProgress(log, { recordsSynced: c.synced, recordsFailed: c.failed }).syncLog;
            if (c.kind === 'complete')
              log = planComplete(
                log,
                {
                  recordsSynced: c.synced,
                  recordsFailed: c.failed,
                  errorDetails: c.withDetails ? details : null,
                },
                now,
              ).syncLog;
            if (c.kind === 'fail')
              log = planFail(log, { errorDetails: c.withDetails ? details : null }, now).syncLog;
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            expect(log).toBe(before);
            continue;
          }
          if (isTerminalStatus(before.status))
            throw new Error(`left terminal state ${before.status} for ${log.status}`);
          if (isTerminalStatus(log.status)) terminalTransitions += 1;
        }
        expect(terminalTransitions).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2_000 },
    );
  });

  it('completes with success exactly when synced + failed = total and failed = 0', () => {
    fc.assert(
      fc.property(count, count, (synced, failed) => {
        const running = planStart(pendingLog, '2026-11-01T02:00:01.000Z').syncLog;
        const { syncLog } = planComplete(
          running,
          { recordsSynced: synced, recordsFailed: failed, errorDetails: details },
          '2026-11-01T02:10:00.000Z',
        );
        expect(syncLog.status === 'success').toBe(
          synced + failed === pendingLog.recordsTotal && failed === 0,
        );
      }),
      { numRuns: 1_000 },
    );
  });
});
