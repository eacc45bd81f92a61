import { randomUUID } from 'node:crypto';

/**
 * The VAT, employee and dimension set-up of an emulated company, and the master-data entities API
 * v2.0 shows of it. Sources:
 * - VAT (V): table 81 "Gen. Journal Line" — `Amount` includes VAT; validating it with a VAT Prod.
 *   Posting Group sets `VAT Amount := Round(Amount * VAT % / (100 + VAT %))` (Normal VAT) and
 *   `VAT Base Amount := Amount - VAT Amount`, the VAT % coming from the VAT Posting Setup of the
 *   line's VAT Bus. × VAT Prod. Posting Group; "Copy VAT Setup to Jnl. Lines" (table 232 field 9,
 *   default true) copies the G/L account's VAT Bus. Posting Group and Gen. Posting Type onto the line.
 *   GenJnlPostLine posts the VAT to the setup's Purchase VAT Account and writes a VAT Entry.
 *   Business Central can book a VAT amount other than its own only as a VAT difference ("Allow VAT
 *   Difference" on the template, at most "Max. VAT Difference Allowed" in General Ledger Setup),
 *   and API v2.0 journal lines expose no VAT Amount field to send one (`APIV2JournalLines.Page.al`).
 * - Employees (V): table 5200 Employee, "Employee Posting Group" → its Payables Account;
 *   GenJnlPostLine `PostEmployee` writes an Employee Ledger Entry and the G/L entry on that account.
 * - Dimensions (V): `APIV2DimensionSetLines.Page.al` — `code` must be a Dimension, `valueCode` a
 *   value of it; a second line for the same dimension is refused ("The dimension set line already exists").
 */
export interface DynamicsPostingSetupSeed {
  /** VAT Prod. Posting Group → VAT % (a decimal string); all under one VAT Bus. Posting Group. */
  vatRates: Readonly<Record<string, string>>;
  /** The Purchase VAT Account of the VAT Posting Setup. */
  purchaseVatAccount: string;
  /** G/L accounts whose Gen. Posting Type is Purchase: VAT is split off their lines. */
  purchaseAccounts: readonly string[];
  /** Employee No. → its posting group's Payables Account. */
  employees: Readonly<Record<string, string>>;
  /** Dimension code → its value codes. */
  dimensions: Readonly<Record<string, readonly string[]>>;
}

export interface DynamicsDimension {
  id: string;
  code: string;
  values: Map<string, string>;
}

/** The set-up as the company holds it. */
export interface DynamicsPostingSetup {
  vatRates: Map<string, string>;
  purchaseVatAccount: string;
  purchaseAccounts: Set<string>;
  employees: Map<string, { id: string; number: string; payablesAccount: string }>;
  dimensions: Map<string, DynamicsDimension>;
}

export function setupFrom(seed: DynamicsPostingSetupSeed | undefined): DynamicsPostingSetup {
  const up = (s: string) => s.toUpperCase();
  return {
    vatRates: new Map(Object.entries(seed?.vatRates ?? {}).map(([k, v]) => [up(k), v])),
    purchaseVatAccount: up(seed?.purchaseVatAccount ?? ''),
    purchaseAccounts: new Set((seed?.purchaseAccounts ?? []).map(up)),
    employees: new Map(
      Object.entries(seed?.employees ?? {}).map(([number, payables]) => [
        up(number),
        { id: randomUUID(), number: up(number), payablesAccount: up(payables) },
      ]),
    ),
    dimensions: new Map(
      Object.entries(seed?.dimensions ?? {}).map(([code, values]) => [
        up(code),
        { id: randomUUID(), code: up(code), values: new Map(values.map((v) => [up(v), randomUUID()])) },
      ]),
    ),
  };
}

/** Scale of the emulator's decimals (see `toScaled` in dynamics-ledger.ts). */
const SCALE = 100_000n;
/** Amount Rounding Precision 0.01 (General Ledger Setup default), in scaled units. */
const CENT = 1_000n;

/**
 * The VAT Business Central computes for a line of `amount` (scaled, VAT included) at `rate` %:
 * `Round(Amount * VAT % / (100 + VAT %))` to 0.01, nearest, halves away from zero (table 81; I: the
 * rounding direction is General Ledger Setup's default "Nearest"). In integers, never floats.
 */
export function vatOf(amount: bigint, rate: string): bigint {
  const [whole = '0', fraction = ''] = rate.split('.');
  const digits = BigInt(10 ** fraction.length);
  const pct = BigInt(`${whole}${fraction}`);
  const numerator = amount * pct;
  const denominator = (100n * digits + pct) * CENT;
  if (pct === 0n) return 0n;
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const cents = (magnitude * 2n + denominator) / (denominator * 2n);
  return (negative ? -cents : cents) * CENT;
}

export const SCALED_ONE = SCALE;

/**
 * Why the journal line page refuses a `taxCode`: it validates into "VAT Prod. Posting Group",
 * whose table relation must hold (V: `APIV2JournalLines.Page.al` `taxCode` OnValidate; I: the
 * platform's table-relation message).
 */
export function taxCodeRefusal(setup: DynamicsPostingSetup, code: string): string | undefined {
  if (code === '' || setup.vatRates.has(code)) return undefined;
  return `The field VAT Prod. Posting Group of table Gen. Journal Line contains a value (${code}) that cannot be found in the related table (VAT Product Posting Group).`;
}

/** Why an Employee (bal.) account number is refused (I: the platform's table-relation message on Bal. Account No.). */
export function employeeRefusal(setup: DynamicsPostingSetup, number: string): string | undefined {
  if (setup.employees.has(number)) return undefined;
  return `The field Bal. Account No. of table Gen. Journal Line contains a value (${number}) that cannot be found in the related table (Employee).`;
}

/** Why a dimension set line is refused, with the page's own labels (V: `APIV2DimensionSetLines.Page.al`). */
export function dimensionRefusal(
  setup: DynamicsPostingSetup,
  code: string,
  valueCode: string,
  existing: ReadonlyMap<string, string>,
): string | undefined {
  if (code === '') return 'The "id" or "code" field must be filled in.';
  if (valueCode === '') return 'The "valueId" or "valueCode" field must be filled in.';
  const dimension = setup.dimensions.get(code);
  if (!dimension) return 'The "code" does not match to a Dimension.';
  if (!dimension.values.has(valueCode)) return 'The "valueCode" does not match to a Dimension Value.';
  if (existing.has(code))
    return 'The dimension set line already exists. Check existing dimension set lines and the default dimension set lines on the parent.';
  return undefined;
}

export function employeeView(employee: { id: string; number: string }) {
  return { id: employee.id, number: employee.number, status: 'Active' };
}

export function taxGroupView(code: string) {
  return { id: code, code, displayName: code, taxType: 'VAT' };
}

export function dimensionView(dimension: DynamicsDimension) {
  return { id: dimension.id, code: dimension.code, displayName: dimension.code };
}

export function dimensionValuesView(dimension: DynamicsDimension) {
  return [...dimension.values].map(([code, id]) => ({
    id,
    dimensionId: dimension.id,
    code,
    displayName: code,
  }));
}
