import { describe, expect, it } from 'vitest';
import {
  assertReversible,
  createSyncLogCommandSchema,
  isReversal,
  payloadSummarySchema,
  planReversalInput,
  reverseSyncInputSchema,
  type SyncLog,
} from '../src/index.js';
import { domainErrorOf, pendingLog } from './helpers.js';

const finished = (status: SyncLog['status'], payloadSummary: SyncLog['payloadSummary'] = null): SyncLog => ({
  ...pendingLog,
  status,
  payloadSummary,
  completedAt: '2026-11-01T02:05:00.000Z',
});
const ORIGINAL = '6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a';
const OPERATOR = '22222222-2222-4222-8222-222222222222';

describe('reversal_of_posted_sync and one_reversal_per_sync', () => {
  it.each(['success', 'partial'] as const)('a %s sync that was never reversed can be reversed', (status) => {
    expect(() => assertReversible(finished(status), null)).not.toThrow();
  });

  it.each(['failed', 'pending', 'in_progress'] as const)(
    'a %s sync posted nothing a reversal could undo',
    (status) => {
      const error = domainErrorOf(() => assertReversible(finished(status), null));
      expect(error.code).toBe('SYNC_NOT_REVERSIBLE');
      expect(error.issues).toEqual([
        expect.objectContaining({ rule: 'reversal_of_posted_sync', path: ['syncLogId'] }),
      ]);
      expect(error.message).toContain(status);
    },
  );

  it('a reversal (or a re-sync of one) is not reversible itself', () => {
    const reversal = finished('success', {
      formatVersion: '1',
      reversal: { of: '33333333-3333-4333-8333-333333333333', reason: 'wrong period' },
    });
    expect(isReversal(reversal)).toBe(true);
    const error = domainErrorOf(() => assertReversible(reversal, null));
    expect(error.code).toBe('SYNC_NOT_REVERSIBLE');
    expect(error.message).toContain('33333333-3333-4333-8333-333333333333');
  });

  it('a second reversal is refused, naming the first', () => {
    const first = '44444444-4444-4444-8444-444444444444';
    const error = domainErrorOf(() => assertReversible(finished('partial'), first));
    expect(error.code).toBe('SYNC_ALREADY_REVERSED');
    expect(error.issues[0]).toMatchObject({ rule: 'one_reversal_per_sync', path: ['syncLogId'] });
    expect(error.message).toContain(first);
  });
});

describe('the reversal sync', () => {
  it('is manual, by the caller, for the original organization, system and period, marked a reversal', () => {
    const input = planReversalInput(finished('success'), {
      reason: 'Booked to the wrong period',
      triggeredBy: OPERATOR,
      recordsTotal: 7,
    });
    const command = createSyncLogCommandSchema.parse(input);
    expect(command).toEqual({
      organizationId: pendingLog.organizationId,
      accountingSystem: 'xledger',
      syncType: 'manual',
      triggeredBy: OPERATOR,
      periodStart: pendingLog.periodStart,
      periodEnd: pendingLog.periodEnd,
      recordsTotal: 7,
      payloadSummary: {
        formatVersion: '1',
        reversal: { of: ORIGINAL, reason: 'Booked to the wrong period' },
      },
    });
    expect(isReversal({ payloadSummary: command.payloadSummary ?? null })).toBe(true);
  });

  it('takes the reason as display text: normalised and trimmed, 1–500 characters, no controls', () => {
    expect(reverseSyncInputSchema.parse({ syncLogId: ORIGINAL, reason: '  Cafe\u0301 trip  ' }).reason).toBe(
      'Café trip',
    );
    for (const reason of ['', '   ', 'x'.repeat(501), 'evil\u202Etxt', '\u200B']) {
      const parsed = reverseSyncInputSchema.safeParse({ syncLogId: ORIGINAL, reason });
      expect(parsed.success, JSON.stringify(reason)).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['reason']);
    }
    expect(reverseSyncInputSchema.safeParse({ syncLogId: ORIGINAL, reason: 'x'.repeat(500) }).success).toBe(
      true,
    );
  });

  it('has no room in the payload summary for anything but what it reverses and why', () => {
    const reversal = { of: ORIGINAL, reason: 'ok' };
    expect(payloadSummarySchema.safeParse({ formatVersion: '1', reversal }).success).toBe(true);
    expect(
      payloadSummarySchema.safeParse({
        formatVersion: '1',
        reversal: { ...reversal, employeeNumber: 'E001' },
      }).success,
    ).toBe(false);
    expect(
      payloadSummarySchema.safeParse({ formatVersion: '1', reversal: { of: ORIGINAL, reason: 'a\u0000b' } })
        .success,
    ).toBe(false);
  });
});
