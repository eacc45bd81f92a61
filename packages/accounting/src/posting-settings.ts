import { DIMENSION_KEYS, type DimensionKey, VAT_CODES, type VatCode } from '@meander/domain';
import { z } from 'zod';

/**
 * How an organization's ledger books Meander's VAT categories, dimensions and employees. Part of
 * the connection settings, which are flat strings:
 * - `vatCodes`: `"HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0"` — Meander category → the ledger's
 *   own code (Business Central: a VAT Prod. Posting Group; Xledger: a tax code). A category that is
 *   not mapped is refused per record, before anything is sent.
 * - `dimensions`: `"department=DEPARTMENT,project=PROJECT"` — Meander key → the ledger's dimension
 *   (Business Central: a dimension code; Xledger: the GL import item field). A line's value for an
 *   unmapped key is refused per record.
 * - `employeeCredit`: `employee` (default) books the credit to the record's employee (Business
 *   Central account type Employee; Xledger the employee sub-ledger); `balancing_account` keeps the
 *   single contra account of earlier versions.
 */
export interface PostingSettings {
  vatCodes: Partial<Record<VatCode, string>>;
  dimensions: Partial<Record<DimensionKey, string>>;
  employeeCredit: 'employee' | 'balancing_account';
}

const PAIR_LIST = /^\s*[A-Za-z]+\s*=\s*[^,=\s][^,=]*(,\s*[A-Za-z]+\s*=\s*[^,=\s][^,=]*)*$/;

function pairs(text: string): [string, string][] {
  return text.split(',').map((pair) => {
    const [key = '', value = ''] = pair.split('=');
    return [key.trim(), value.trim()];
  });
}

function mapping<K extends string>(keys: readonly K[], what: string, example: string) {
  const known = new Set<string>(keys);
  return z
    .string()
    .regex(PAIR_LIST, `must read like "${example}"`)
    .transform((text, ctx) => {
      const out: Partial<Record<K, string>> = {};
      for (const [key, value] of pairs(text)) {
        const match = keys.find((k) => k.toLowerCase() === key.toLowerCase());
        if (!match || !known.has(match)) {
          ctx.addIssue({
            code: 'custom',
            message: `names ${JSON.stringify(key)}, not a ${what} (${keys.join(', ')})`,
          });
          continue;
        }
        out[match] = value;
      }
      return out;
    });
}

/** The posting settings' part of a connection schema (spread into each system's schema). */
export const postingSettingsShape = {
  vatCodes: mapping(VAT_CODES, 'VAT category', 'HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0').optional(),
  dimensions: mapping(DIMENSION_KEYS, 'dimension key', 'department=DEPARTMENT,project=PROJECT').optional(),
  employeeCredit: z.enum(['employee', 'balancing_account']).optional(),
};

/** The posting settings of a parsed connection, defaults applied. */
export function postingSettingsOf(connection: {
  vatCodes?: Partial<Record<VatCode, string>> | undefined;
  dimensions?: Partial<Record<DimensionKey, string>> | undefined;
  employeeCredit?: 'employee' | 'balancing_account' | undefined;
}): PostingSettings {
  return {
    vatCodes: connection.vatCodes ?? {},
    dimensions: connection.dimensions ?? {},
    employeeCredit: connection.employeeCredit ?? 'employee',
  };
}
