import { z } from 'zod';
import { httpUrlSchema, requiredText } from '../../connection-settings.js';
import { postingSettingsShape } from '../../posting-settings.js';

const currencyCode = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as NOK'));

/**
 * The GL import item fields that carry a dimension value (V: grasp-labs `glImportItems/create`
 * metadata lists `glObject1_code` … `glObject5_code` and `project_code`).
 */
const XLEDGER_DIMENSION_FIELDS = [
  'glObject1',
  'glObject2',
  'glObject3',
  'glObject4',
  'glObject5',
  'project',
] as const;
/** A GL import item field that carries a dimension value. */
export type XledgerDimensionField = (typeof XLEDGER_DIMENSION_FIELDS)[number];

/** `dimensions` names, for each Meander key, the GL import item field its value goes in (case-insensitive). */
const dimensionFields = postingSettingsShape.dimensions.transform((mapped, ctx) => {
  if (mapped === undefined) return undefined;
  const out: Partial<Record<keyof typeof mapped, XledgerDimensionField>> = {};
  for (const [key, field] of Object.entries(mapped) as [keyof typeof mapped, string][]) {
    const known = XLEDGER_DIMENSION_FIELDS.find((f) => f.toLowerCase() === field.toLowerCase());
    if (known) out[key] = known;
    else
      ctx.addIssue({
        code: 'custom',
        message: `maps ${key} to ${JSON.stringify(field)}, not a GL import item field (${XLEDGER_DIMENSION_FIELDS.join(', ')})`,
      });
  }
  return out;
});

/**
 * The `connection` of an organization that books to Xledger. `baseUrl` is the GraphQL endpoint
 * itself. `transactionSource` is the code every import item carries (e.g. `GL`); `contraAccount`
 * is the account each voucher's balancing line is booked to; `localCurrency` is the entity's
 * currency; `acceptedCurrencies` (comma-separated) lists foreign currencies the entity books as
 * they are (Xledger converts), any other currency is refused per record. `vatCodes`,
 * `dimensions` and `employeeCredit` are the posting settings (`posting-settings.ts`): a VAT
 * category → an Xledger tax rule code; a Meander dimension key → the GL import item field
 * (`glObject1`…`glObject5`, `project`); the credit line to the employee's sub-ledger or not.
 */
export const xledgerConnectionSchema = z.object({
  baseUrl: httpUrlSchema,
  apiToken: requiredText,
  transactionSource: requiredText,
  contraAccount: requiredText,
  localCurrency: currencyCode,
  acceptedCurrencies: z
    .string()
    .optional()
    .transform((list, ctx) => {
      const codes = (list ?? '')
        .split(',')
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c.length > 0);
      for (const code of codes) {
        if (!/^[A-Z]{3}$/.test(code)) {
          ctx.addIssue({ code: 'custom', message: `holds ${JSON.stringify(code)}, not an ISO-4217 code` });
        }
      }
      return codes;
    }),
  ...postingSettingsShape,
  dimensions: dimensionFields,
});
/** Xledger connection settings. */
export type XledgerConnection = z.infer<typeof xledgerConnectionSchema>;
