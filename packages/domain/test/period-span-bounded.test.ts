import { describe, expect, it } from 'vitest';
import { checkPeriodSpanBounded, MAX_PERIOD_DAYS, validateCreateCommand } from '../src/index.js';

const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

describe('period_span_bounded', () => {
  const start = Date.parse('2026-01-01T00:00:00.000Z');

  it('allows exactly five years of days and refuses one millisecond more, naming the field', () => {
    expect(checkPeriodSpanBounded(at(start), at(start + MAX_PERIOD_DAYS * DAY))).toEqual([]);
    const [issue] = checkPeriodSpanBounded(at(start), at(start + MAX_PERIOD_DAYS * DAY + 1));
    expect(issue?.rule).toBe('period_span_bounded');
    expect(issue?.path).toEqual(['periodEnd']);
    expect(issue?.message).toMatch(/at most 1830 days/);
  });

  it('refuses the probe’s 0001–9999 export through the create command', () => {
    const issues = validateCreateCommand({
      organizationId: '11111111-1111-4111-8111-111111111111',
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '0001-01-01T00:00:00.000Z',
      periodEnd: '9999-12-31T23:59:59.999Z',
      recordsTotal: 1,
    });
    expect(issues.map((i) => i.rule)).toEqual(['period_span_bounded']);
  });

  it('names the caller’s own fields (a history filter)', () => {
    const [issue] = checkPeriodSpanBounded('2000-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', {
      from: 'periodFrom',
      to: 'periodTo',
    });
    expect(issue?.path).toEqual(['periodTo']);
  });
});
