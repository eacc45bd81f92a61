import { describe, expect, it } from 'vitest';
import { documentNumberFor, externalDocumentNumberFor } from '../src/index.js';
import { localAmount } from '../src/systems/dynamics/dynamics-money.js';

describe('documentNumberFor — the key posted entries are found by (G/L entries keep Document No., Code[20])', () => {
  it('is 20 characters of Code-safe upper case, deterministic, and differs between records', () => {
    const id = '0b6f3c8e-5d2a-4f1b-9c7e-8a9b0c1d2e3f';
    expect(documentNumberFor(id)).toMatch(/^MX[A-Z2-7]{18}$/);
    expect(documentNumberFor(id)).toBe(documentNumberFor(id));
    const many = new Set(Array.from({ length: 5_000 }, (_, i) => documentNumberFor(`rec-${i}`)));
    expect(many.size).toBe(5_000);
    // Case matters in record ids; Code fields upper-case, so the hash keeps them apart.
    expect(documentNumberFor('abc')).not.toBe(documentNumberFor('ABC'));
  });

  it('keeps the record id readable in externalDocumentNumber (UUID without hyphens, Code[35])', () => {
    expect(externalDocumentNumberFor('0b6f3c8e-5d2a-4f1b-9c7e-8a9b0c1d2e3f')).toBe(
      '0B6F3C8E5D2A4F1B9C7E8A9B0C1D2E3F',
    );
  });
});

describe('localAmount — a journal line has no currency field: amounts are booked in the local currency', () => {
  it('writes local amounts from minor units, never through a float', () => {
    expect(localAmount({ amountMinor: 12_345, currency: 'NOK' }, 'NOK', undefined)).toBe('123.45');
    expect(localAmount({ amountMinor: -5, currency: 'NOK' }, 'NOK', undefined)).toBe('-0.05');
  });

  it('converts a mapped currency at its fixed rate, rounding half away from zero', () => {
    expect(localAmount({ amountMinor: 10_002, currency: 'EUR' }, 'NOK', { EUR: '11.5' })).toBe('1150.23');
    expect(localAmount({ amountMinor: -10_002, currency: 'EUR' }, 'NOK', { EUR: '11.5' })).toBe('-1150.23');
    expect(localAmount({ amountMinor: 1, currency: 'EUR' }, 'NOK', { EUR: '0.5' })).toBe('0.01');
    // 0-decimal source currency: JPY 1000 × 0.0712 = NOK 71.20.
    expect(localAmount({ amountMinor: 1_000, currency: 'JPY' }, 'NOK', { JPY: '0.0712' })).toBe('71.20');
  });

  it('refuses a currency without a rate', () => {
    expect(() => localAmount({ amountMinor: 1, currency: 'SEK' }, 'NOK', {})).toThrow(RangeError);
  });
});
