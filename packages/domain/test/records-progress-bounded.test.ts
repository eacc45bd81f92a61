import { describe, expect, it } from 'vitest';
import { checkRecordsProgressBounded, planProgress, planStart } from '../src/index.js';
import { domainErrorOf, pendingLog } from './helpers.js';

describe('records_progress_bounded', () => {
  const running = {
    ...planStart(pendingLog, '2026-11-01T02:00:05.000Z').syncLog,
    recordsTotal: 10,
    recordsSynced: 4,
    recordsFailed: 1,
  };

  it('accepts counts that move forward up to recordsTotal', () => {
    expect(checkRecordsProgressBounded(running, { recordsSynced: 4, recordsFailed: 1 })).toEqual([]);
    expect(planProgress(running, { recordsSynced: 8, recordsFailed: 2 }).syncLog).toMatchObject({
      recordsSynced: 8,
      recordsFailed: 2,
    });
  });

  it('refuses a count that goes down, naming the rule and the field', () => {
    const error = domainErrorOf(() => planProgress(running, { recordsSynced: 3, recordsFailed: 1 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([
      expect.objectContaining({ rule: 'records_progress_bounded', path: ['recordsSynced'] }),
    ]);
    expect(
      checkRecordsProgressBounded(running, { recordsSynced: 4, recordsFailed: 0 }).map((i) => i.path),
    ).toEqual([['recordsFailed']]);
  });

  it('refuses counts above recordsTotal', () => {
    const error = domainErrorOf(() => planProgress(running, { recordsSynced: 11, recordsFailed: 1 }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([
      expect.objectContaining({ rule: 'records_progress_bounded', path: ['recordsSynced'] }),
    ]);
    expect(
      checkRecordsProgressBounded(running, { recordsSynced: 5, recordsFailed: 6 }).map((i) => i.path),
    ).toEqual([['recordsFailed']]);
  });
});
