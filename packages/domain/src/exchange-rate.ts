import { z } from 'zod';

/**
 * An exchange rate as a decimal string: local-currency units per one unit of the record's currency
 * ("11.4835"), positive, at most 9 integer and 6 fractional digits. Never a number: at most 15
 * significant digits, so the text survives any ledger field that takes it, and the adapters convert
 * with integer arithmetic.
 */
export const EXCHANGE_RATE_PATTERN = /^(0|[1-9][0-9]{0,8})(\.[0-9]{1,6})?$/;

/** The rule of an exchange rate, as a schema: the pattern, and not zero. */
export const exchangeRateSchema = z
  .string('exchangeRate must be a decimal string such as "11.4835" (local units per one unit of currency)')
  .regex(
    EXCHANGE_RATE_PATTERN,
    'exchangeRate must be a decimal string such as "11.4835": digits, at most 9 before and 6 after the point, no sign or exponent',
  )
  .refine((v) => /[1-9]/.test(v), 'exchangeRate must be greater than zero');

/** An exchange rate without trailing zeros after the point ("11.50" → "11.5", "2.0" → "2"): one text per rate. */
export function canonicalExchangeRate(rate: string): string {
  return rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
}
