import { z } from 'zod';
import { httpUrlSchema, requiredText } from '../../connection-settings.js';

const currencyCode = z
  .string()
  .trim()
  .transform((c) => c.toUpperCase())
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as NOK'));

/**
 * The `connection` of an organization that books to Xledger. `baseUrl` is the GraphQL endpoint
 * itself. `transactionSource` is the code every import item carries (e.g. `GL`); `contraAccount`
 * is the account each voucher's balancing line is booked to; `localCurrency` is the entity's
 * currency; `acceptedCurrencies` (comma-separated) lists foreign currencies the entity books as
 * they are (Xledger converts), any other currency is refused per record.
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
});
/** Xledger connection settings. */
export type XledgerConnection = z.infer<typeof xledgerConnectionSchema>;
/** Xledger connection settings as stored (before defaults and normalisation). */
export type XledgerConnectionInput = z.input<typeof xledgerConnectionSchema>;
