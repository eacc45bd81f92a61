import type { ExportRecord } from '@meander/domain';
import { localMinorUnits, minorUnitsToDecimal } from '../../decimal-amount.js';

/**
 * The record's amount as the decimal string a journal line takes, in the company's local
 * currency (a journal line has no currency field). A record in another currency is converted
 * at its own `exchangeRate` when it has one, else at the configured fixed rate (both local units
 * per foreign unit, decimal strings), rounded half away from zero to the local currency's minor
 * unit — all in integers, never floats. A record in the local currency is never converted, whatever
 * rate it carries.
 */
export function localAmount(
  record: Pick<ExportRecord, 'amountMinor' | 'currency' | 'exchangeRate'>,
  local: string,
  rates: Readonly<Record<string, string>> | undefined,
): string {
  if (record.currency === local) return minorUnitsToDecimal(record.amountMinor, local);
  const rate = record.exchangeRate ?? rates?.[record.currency];
  if (rate === undefined) throw new RangeError(`No rate for ${record.currency}`);
  return minorUnitsToDecimal(localMinorUnits(record.amountMinor, record.currency, local, rate), local);
}

/** The sum of decimal strings, in the notation of the widest of them — in integers, never floats. */
export function sumDecimals(amounts: readonly string[]): string {
  if (amounts.length === 1) return amounts[0] ?? '0';
  const digits = Math.max(0, ...amounts.map((a) => a.split('.')[1]?.length ?? 0));
  let total = 0n;
  for (const amount of amounts) {
    const negative = amount.startsWith('-');
    const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
    const scaled = BigInt(`${whole}${fraction.padEnd(digits, '0')}`);
    total += negative ? -scaled : scaled;
  }
  const negative = total < 0n;
  const text = (negative ? -total : total).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return negative ? `-${body}` : body;
}
