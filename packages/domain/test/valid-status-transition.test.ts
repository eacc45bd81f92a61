import { describe, expect, it } from 'vitest';
import { checkValidStatusTransition, nextStatuses } from '../src/index.js';

describe('valid_status_transition', () => {
  it('accepts the machine’s moves', () => {
    expect(checkValidStatusTransition('pending', 'in_progress')).toEqual([]);
    expect(checkValidStatusTransition('pending', 'failed')).toEqual([]);
    expect(checkValidStatusTransition('in_progress', 'partial')).toEqual([]);
    expect(nextStatuses('success')).toEqual([]);
  });
  it('refuses anything else, on status', () => {
    expect(checkValidStatusTransition('pending', 'success')).toEqual([
      {
        rule: 'valid_status_transition',
        severity: 'error',
        path: ['status'],
        message: 'A sync cannot move from pending to success',
      },
    ]);
    expect(checkValidStatusTransition('failed', 'in_progress')[0]?.rule).toBe('valid_status_transition');
  });
});
