import { describe, expect, it } from 'vitest';
import { checkPeriodEndAfterPeriodStart } from '../src/index.js';

describe('period_end_after_period_start', () => {
  it('accepts an end after the start', () => {
    expect(
      checkPeriodEndAfterPeriodStart({
        periodStart: '2026-10-01T00:00:00.000Z',
        periodEnd: '2026-10-31T23:59:59.999Z',
      }),
    ).toEqual([]);
  });
  it('refuses an end before or equal to the start, on periodEnd', () => {
    for (const periodEnd of ['2026-09-30T23:59:59.999Z', '2026-10-01T00:00:00.000Z']) {
      expect(checkPeriodEndAfterPeriodStart({ periodStart: '2026-10-01T00:00:00.000Z', periodEnd })).toEqual([
        {
          rule: 'period_end_after_period_start',
          severity: 'error',
          path: ['periodEnd'],
          message: expect.stringContaining('must be after'),
        },
      ]);
    }
  });
});
