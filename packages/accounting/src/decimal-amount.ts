/**
 * ISO-4217 currencies whose minor unit is not 1/100. Every other code has two decimals.
 * (Sources: the ISO-4217 list; only currencies a Nordic or European customer plausibly books.)
 */
const MINOR_UNIT_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Decimals of `currency`'s minor unit. */
function minorUnitDigits(currency: string): number {
  return MINOR_UNIT_DIGITS[currency] ?? 2;
}

/**
 * An amount in minor units of `currency` at `rate` (local units per one unit of `currency`, a
 * decimal string) in minor units of `local`, rounded half away from zero — in integers, never
 * floats. A RangeError when the result is beyond the safe integers.
 */
export function localMinorUnits(amountMinor: number, currency: string, local: string, rate: string): number {
  const [whole = '0', fraction = ''] = rate.split('.');
  const rateScaled = BigInt(`${whole}${fraction}`);
  // amountMinor / 10^from * rateScaled / 10^rateDigits * 10^to, rounded.
  const numerator = BigInt(amountMinor) * rateScaled * 10n ** BigInt(minorUnitDigits(local));
  const denominator = 10n ** BigInt(minorUnitDigits(currency) + fraction.length);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  const result = negative ? -rounded : rounded;
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError('The converted amount exceeds the safe integer range');
  return Number(result);
}

/**
 * Whether a record's total converts at `rate` within the safe integers: its lines' amounts add up
 * to at most the total, and rounding keeps order, so every line converts when the total does.
 */
export function convertsSafely(amountMinor: number, currency: string, local: string, rate: string): boolean {
  try {
    localMinorUnits(Math.abs(amountMinor), currency, local, rate);
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/**
 * Write an integer amount in minor units as the decimal string the ledgers take, by moving the
 * decimal point in the digits — never by float division (`12345` NOK → `"123.45"`).
 */
export function minorUnitsToDecimal(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor))
    throw new RangeError('Amounts must be safe integers in minor units');
  const digits = minorUnitDigits(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const magnitude = String(Math.abs(amountMinor));
  if (digits === 0) return `${sign}${magnitude}`;
  const padded = magnitude.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}
