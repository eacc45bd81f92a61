import { describe, expect, it } from 'vitest';
import {
  checkConfirmUnposted,
  failSyncLogCommandSchema,
  payloadSummarySchema,
  planFail,
  planUnverifiedBatch,
  settleUnverifiedBatch,
} from '../src/index.js';
import { pendingLog } from './helpers.js';

describe('planUnverifiedBatch', () => {
  it('keeps every record with an open unverified posting read-back only, without a confirmation', () => {
    const plan = planUnverifiedBatch({ openRecordIds: ['r1', 'r2', 'r1'], confirmedUnposted: false });
    expect([...plan.neverSend].sort()).toEqual(['r1', 'r2']);
    expect(plan.confirm).toEqual([]);
  });

  it('releases them to be sent once, and settles them confirmed, with the operator’s confirmation', () => {
    const plan = planUnverifiedBatch({ openRecordIds: ['r1', 'r2'], confirmedUnposted: true });
    expect(plan.neverSend.size).toBe(0);
    expect(plan.confirm).toEqual(['r1', 'r2']);
  });
});

describe('settleUnverifiedBatch', () => {
  it('records unverified rejections and finds read-back-only records the adapter accepted', () => {
    const neverSend = new Set(['kept', 'found']);
    const settled = settleUnverifiedBatch(
      {
        accepted: [{ recordId: 'found' }, { recordId: 'sent' }],
        rejected: [
          { recordId: 'kept', unverified: true },
          { recordId: 'new', unverified: true },
          { recordId: 'refused' },
        ],
      },
      neverSend,
    );
    expect(settled).toEqual({ unverified: ['kept', 'new'], found: ['found'] });
  });

  it('finds a read-back-only record the ledger holds refused (foundInLedger), not one merely rejected', () => {
    const settled = settleUnverifiedBatch(
      {
        accepted: [],
        rejected: [
          { recordId: 'staged', foundInLedger: true },
          { recordId: 'preflight' },
          { recordId: 'sent-now', foundInLedger: true },
        ],
      },
      new Set(['staged', 'preflight']),
    );
    expect(settled).toEqual({ unverified: [], found: ['staged'] });
  });
});

describe('payload summary: ledger requests and the operator’s confirmation', () => {
  it('accepts counts and the confirmation flag, refuses negatives, floats and a false flag', () => {
    const ok = payloadSummarySchema.safeParse({
      formatVersion: '1',
      ledgerRequests: { reads: 12, writes: 3 },
      confirmedUnposted: true,
    });
    expect(ok.success).toBe(true);
    for (const bad of [
      { ledgerRequests: { reads: -1, writes: 0 } },
      { ledgerRequests: { reads: 1.5, writes: 0 } },
      { ledgerRequests: { reads: 1 } },
      { confirmedUnposted: false },
    ]) {
      const result = payloadSummarySchema.safeParse({ formatVersion: '1', ...bad });
      expect(result.success).toBe(false);
    }
  });

  it('lets a failure record what the sync cost (planFail keeps the summary it is given)', () => {
    const command = failSyncLogCommandSchema.parse({
      id: pendingLog.id,
      errorDetails: { code: 'X', message: 'boom', category: 'unknown', retryable: false },
      payloadSummary: { formatVersion: '1', ledgerRequests: { reads: 4, writes: 1 } },
    });
    const failed = planFail(pendingLog, command, '2026-11-01T03:00:00.000Z').syncLog;
    expect(failed.payloadSummary?.ledgerRequests).toEqual({ reads: 4, writes: 1 });
    const kept = planFail(pendingLog, { errorDetails: command.errorDetails }, '2026-11-01T03:00:00.000Z');
    expect(kept.syncLog.payloadSummary).toEqual(pendingLog.payloadSummary);
  });
});

describe('confirm_unposted_needs_unverified', () => {
  it('refuses a confirmation with nothing open to confirm, naming the rule and the field', () => {
    expect(checkConfirmUnposted({ confirmUnposted: true, openUnverified: 0 })).toEqual([
      expect.objectContaining({
        rule: 'confirm_unposted_needs_unverified',
        severity: 'error',
        path: ['confirmUnposted'],
      }),
    ]);
    expect(checkConfirmUnposted({ confirmUnposted: true, openUnverified: 2 })).toEqual([]);
    expect(checkConfirmUnposted({ confirmUnposted: false, openUnverified: 0 })).toEqual([]);
  });
});
