import { describe, expect, it } from 'vitest';
import { minorUnitsToDecimal } from '../src/index.js';

describe('minorUnitsToDecimal', () => {
  it('moves the decimal point by the currency’s minor unit', () => {
    expect(minorUnitsToDecimal(12_345, 'NOK')).toBe('123.45');
    expect(minorUnitsToDecimal(5, 'EUR')).toBe('0.05');
    expect(minorUnitsToDecimal(0, 'SEK')).toBe('0.00');
    expect(minorUnitsToDecimal(-1_999, 'DKK')).toBe('-19.99');
    expect(minorUnitsToDecimal(1_234, 'JPY')).toBe('1234');
    expect(minorUnitsToDecimal(1_234, 'KWD')).toBe('1.234');
  });

  it('stays exact at the edge of the safe integer range, where a float would not', () => {
    expect(minorUnitsToDecimal(Number.MAX_SAFE_INTEGER, 'NOK')).toBe('90071992547409.91');
    expect(minorUnitsToDecimal(-Number.MAX_SAFE_INTEGER, 'NOK')).toBe('-90071992547409.91');
  });

  it('refuses an amount that is not a safe integer', () => {
    expect(() => minorUnitsToDecimal(1.5, 'NOK')).toThrow(RangeError);
    expect(() => minorUnitsToDecimal(2 ** 60, 'NOK')).toThrow(RangeError);
  });
});
