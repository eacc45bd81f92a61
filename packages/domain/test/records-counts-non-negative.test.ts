import { describe, expect, it } from 'vitest';
import { checkRecordsCountsNonNegative } from '../src/index.js';

describe('records_counts_non_negative', () => {
  it('accepts zero and positive integers, and absent counts', () => {
    expect(checkRecordsCountsNonNegative({ recordsTotal: 0, recordsSynced: 5, recordsFailed: 0 })).toEqual(
      [],
    );
    expect(checkRecordsCountsNonNegative({})).toEqual([]);
  });
  it('names every negative or fractional count by its field', () => {
    const issues = checkRecordsCountsNonNegative({ recordsTotal: -1, recordsSynced: 1.5, recordsFailed: 2 });
    expect(issues.map((i) => [i.rule, i.path[0]])).toEqual([
      ['records_counts_non_negative', 'recordsTotal'],
      ['records_counts_non_negative', 'recordsSynced'],
    ]);
  });
});
