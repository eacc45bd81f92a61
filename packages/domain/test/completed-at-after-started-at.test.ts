import { describe, expect, it } from 'vitest';
import { checkCompletedAtAfterStartedAt } from '../src/index.js';

describe('completed_at_after_started_at', () => {
  it('accepts null, equal and later completions', () => {
    const startedAt = '2026-11-01T02:00:00.000Z';
    expect(checkCompletedAtAfterStartedAt({ startedAt, completedAt: null })).toEqual([]);
    expect(checkCompletedAtAfterStartedAt({ startedAt, completedAt: startedAt })).toEqual([]);
    expect(checkCompletedAtAfterStartedAt({ startedAt, completedAt: '2026-11-01T02:00:00.001Z' })).toEqual(
      [],
    );
  });
  it('refuses a completion before the start', () => {
    const [issue] = checkCompletedAtAfterStartedAt({
      startedAt: '2026-11-01T02:00:00.000Z',
      completedAt: '2026-11-01T01:59:59.999Z',
    });
    expect(issue).toMatchObject({
      rule: 'completed_at_after_started_at',
      severity: 'error',
      path: ['completedAt'],
    });
  });
});
