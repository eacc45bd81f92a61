import { describe, expect, it } from 'vitest';
import {
  computeIntegrationHealth,
  type HealthAttempt,
  type HealthInput,
  healthAttemptOf,
  UNVERIFIED_POSTING,
} from '../src/index.js';
import { pendingLog } from './helpers.js';

const DAY = 86_400;
const base = (over: Partial<HealthInput>): HealthInput => ({
  organizationId: pendingLog.organizationId,
  accountingSystem: 'xledger',
  enabled: true,
  schedule: { intervalSeconds: DAY, nextRunAt: '2026-11-02T02:00:00.000Z' },
  attempts: [],
  now: '2026-11-01T03:00:00.000Z',
  ...over,
});
let n = 0;
function attempt(
  status: HealthAttempt['status'],
  at: string,
  problems: HealthAttempt['problems'] = [],
): HealthAttempt {
  n += 1;
  return { id: `a${n}`, status, startedAt: at, completedAt: at, problems };
}
const locked = { code: 'PERIOD_LOCKED', category: 'period_locked' as const, message: 'Period locked' };
const throttled = { code: 'RATE_LIMITED', category: 'transient' as const, message: 'Throttled' };

describe('computeIntegrationHealth on a fake clock', () => {
  it('moves healthy → delayed → failing as time passes without a success', () => {
    const attempts = [attempt('success', '2026-11-01T02:05:00.000Z')];
    const at = (now: string) => computeIntegrationHealth(base({ attempts, now })).state;
    expect(at('2026-11-01T03:00:00.000Z')).toBe('healthy');
    expect(at('2026-11-02T02:15:00.000Z')).toBe('healthy'); // inside one interval + grace
    expect(at('2026-11-02T02:25:00.000Z')).toBe('delayed');
    expect(at('2026-11-03T02:20:00.000Z')).toBe('delayed');
    expect(at('2026-11-03T02:25:00.000Z')).toBe('failing');
  });

  it('is failing after N consecutive transient failures, and healthy again after a success', () => {
    const fails = [1, 2, 3].map((i) => attempt('failed', `2026-11-01T0${i}:00:00.000Z`, [throttled]));
    const h = computeIntegrationHealth(base({ attempts: fails, now: '2026-11-01T04:00:00.000Z' }));
    expect(h.state).toBe('failing');
    expect(h.consecutiveFailures).toBe(3);
    expect(h.problems).toEqual([
      expect.objectContaining({
        code: 'RATE_LIMITED',
        status: 'open',
        firstSeenAt: '2026-11-01T01:00:00.000Z',
        lastSeenAt: '2026-11-01T03:00:00.000Z',
        occurrences: 3,
        resolvedAt: null,
      }),
    ]);
    const two = computeIntegrationHealth(
      base({ attempts: fails.slice(0, 2), now: '2026-11-01T04:00:00.000Z' }),
    );
    expect(two.state).toBe('healthy');

    const after = computeIntegrationHealth(
      base({
        attempts: [...fails, attempt('success', '2026-11-01T05:00:00.000Z')],
        now: '2026-11-01T06:00:00.000Z',
      }),
    );
    expect(after.state).toBe('healthy');
    expect(after.successRate30d).toBe(0.25);
    expect(after.problems[0]).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-01T05:00:00.000Z' });
  });

  it('is action_required when the latest failure needs a person, even a single one', () => {
    const h = computeIntegrationHealth(
      base({ attempts: [attempt('partial', '2026-11-01T02:10:00.000Z', [locked])] }),
    );
    expect(h.state).toBe('action_required');
    expect(h.reasons[0]).toContain('PERIOD_LOCKED');
  });

  it('is disabled when the module is off, whatever the history', () => {
    const h = computeIntegrationHealth(
      base({ enabled: false, attempts: [attempt('failed', '2026-11-01T02:10:00.000Z', [locked])] }),
    );
    expect(h.state).toBe('disabled');
    expect(h.nextRunAt).toBeNull();
  });

  it('never flags a schedule-less integration as delayed, and a new one is not late before its first run', () => {
    expect(
      computeIntegrationHealth(
        base({ schedule: null, attempts: [attempt('success', '2026-01-01T00:00:00.000Z')] }),
      ).state,
    ).toBe('healthy');
    expect(computeIntegrationHealth(base({ attempts: [] })).state).toBe('healthy');
  });

  it('counts the success rate only over the last 30 days', () => {
    const h = computeIntegrationHealth(
      base({
        attempts: [
          attempt('failed', '2026-09-01T00:00:00.000Z', [throttled]),
          attempt('success', '2026-10-31T02:00:00.000Z'),
        ],
      }),
    );
    expect(h.successRate30d).toBe(1);
  });

  it('derives problems of a partial sync log from its catalogued record failures', () => {
    const a = healthAttemptOf({
      ...pendingLog,
      status: 'partial',
      completedAt: '2026-11-01T02:10:00.000Z',
      errorDetails: {
        code: 'PARTIAL',
        message: 'Some rejected',
        category: 'validation',
        retryable: false,
        recordFailures: [
          {
            recordId: 'r1',
            code: 'X',
            reason: 'no account',
            catalogCode: 'UNKNOWN_ACCOUNT',
            catalogCategory: 'master_data',
          },
          {
            recordId: 'r2',
            code: 'X',
            reason: 'no account',
            catalogCode: 'UNKNOWN_ACCOUNT',
            catalogCategory: 'master_data',
          },
          { recordId: 'r3', code: 'Y', reason: 'odd', category: 'validation' },
        ],
      },
    });
    expect(a?.problems).toEqual([
      { code: 'UNKNOWN_ACCOUNT', category: 'master_data', message: 'no account' },
      { code: 'Y', category: 'validation', message: 'odd' },
    ]);
    expect(healthAttemptOf(pendingLog)).toBeNull();
  });
});

describe('computeIntegrationHealth with open unverified postings', () => {
  const unverifiedPostings = {
    count: 3,
    firstSeenAt: '2026-10-31T02:10:00.000Z',
    lastSeenAt: '2026-11-01T02:10:00.000Z',
    lastSyncLogId: 'a-last',
  };

  it('is action_required while any is open, even after a later success, naming count, code and fix', () => {
    const attempts = [attempt('success', '2026-11-01T02:30:00.000Z')];
    const h = computeIntegrationHealth(base({ attempts, unverifiedPostings }));
    expect(h.state).toBe('action_required');
    expect(h.reasons).toEqual([
      '3 records were posted but not found in the ledger (POSTED_NOT_FOUND); Meander will not send them again until they are found or confirmed not posted',
    ]);
    expect(h.problems[0]).toEqual({
      code: 'POSTED_NOT_FOUND',
      category: 'configuration',
      message: h.reasons[0],
      status: 'open',
      firstSeenAt: unverifiedPostings.firstSeenAt,
      lastSeenAt: unverifiedPostings.lastSeenAt,
      occurrences: 1,
      lastSyncLogId: 'a-last',
      resolvedAt: null,
      fix: UNVERIFIED_POSTING.fix,
      records: 3,
    });
    expect(h.problems[0]?.fix).toContain('--confirm-unposted');
  });

  it('replaces the attempts’ own POSTED_NOT_FOUND problem with the counted one (no duplicate)', () => {
    const notFound = { code: 'POSTED_NOT_FOUND', category: 'configuration' as const, message: 'x' };
    const attempts = [attempt('partial', '2026-11-01T02:10:00.000Z', [notFound])];
    const h = computeIntegrationHealth(
      base({ attempts, unverifiedPostings: { ...unverifiedPostings, count: 1 } }),
    );
    expect(h.problems.filter((p) => p.code === 'POSTED_NOT_FOUND')).toHaveLength(1);
    expect(h.problems[0]?.message).toMatch(/^1 record was posted but not found/);
  });

  it('is healthy again once none is open (a count of zero is no problem)', () => {
    const attempts = [attempt('success', '2026-11-01T02:30:00.000Z')];
    for (const none of [null, { ...unverifiedPostings, count: 0 }]) {
      const h = computeIntegrationHealth(base({ attempts, unverifiedPostings: none }));
      expect(h.state).toBe('healthy');
      expect(h.problems).toEqual([]);
    }
  });

  it('stays disabled when the module is off', () => {
    const h = computeIntegrationHealth(base({ enabled: false, unverifiedPostings }));
    expect(h.state).toBe('disabled');
  });
});
