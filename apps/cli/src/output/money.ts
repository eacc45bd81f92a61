/**
 * Money in the currency's normal units with the locale's grouping, formatted exactly from integer
 * minor units (never through a float: 27542040 NOK minor units is "NOK 275,420.40" in en-GB,
 * "275 420,40 kr" in nb-NO). Intl formats a decimal string without rounding it through a double.
 */
export function formatMoney(amountMinor: string | number | bigint, currency: string, locale: string): string {
  const minor = BigInt(amountMinor);
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const negative = minor < 0n;
  const units = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits);
  const fraction = digits > 0 ? `.${units.slice(units.length - digits)}` : '';
  // Node 20's Intl takes an exact decimal string (Intl.NumberFormat v3); the type still says number.
  return format.format(`${negative ? '-' : ''}${whole}${fraction}` as unknown as number);
}

/**
 * The locale the CLI formats numbers in: `--locale`, else `LC_ALL`/`LC_MONETARY`/`LANG`
 * (`nb_NO.UTF-8` → `nb-NO`), else `en-GB`. A value Intl does not know falls back too.
 */
export function resolveLocale(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [flag, env.LC_ALL, env.LC_MONETARY, env.LANG];
  for (const raw of candidates) {
    if (!raw) continue;
    const tag = raw.split('.')[0]?.split('@')[0]?.replace('_', '-') ?? '';
    if (!tag || tag === 'C' || tag === 'POSIX') continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // An ill-formed tag is skipped like an unknown one.
    }
  }
  return 'en-GB';
}

/** Fraction digits of `currency` (NOK 2, JPY 0). */
function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/** A signed decimal string (`"-101.5"`, `"101.00"`) as integer minor units of `currency`, exactly. */
export function decimalToMinor(amount: string, currency: string): bigint {
  const match = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new RangeError(`"${amount}" is not a decimal amount`);
  const digits = currencyDigits(currency);
  const fraction = (match[3] ?? '').padEnd(digits, '0');
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits)))
    throw new RangeError(`"${amount}" has more decimals than ${currency} takes`);
  const minor = BigInt(`${match[2]}${fraction.slice(0, digits)}`);
  return match[1] === '-' ? -minor : minor;
}
