import { z } from 'zod';
import { httpUrlSchema, requiredText } from '../../connection-settings.js';
import { postingSettingsShape } from '../../posting-settings.js';
import { plainEnum } from './odata-enum.js';

/** Business Central's API audience for client-credentials tokens. */
export const BUSINESS_CENTRAL_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

const code = (max: number) =>
  requiredText.max(max, `must be at most ${max} characters`).transform((v) => v.toUpperCase());
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const currencyCode = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter currency code')
  .transform((v) => v.toUpperCase());

/**
 * The `connection` of an organization that books to Business Central. `baseUrl` is the service
 * root before `/api/v2.0` (SaaS: `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}`);
 * `tokenUrl` is the Entra ID token endpoint of `tenantId`.
 *
 * Posting settings: `journalName` is the code (≤ 10) of the general journal batch Meander owns
 * (created through the API when missing; nothing else should post from it);
 * `balancingAccountNumber` (+ `balancingAccountType`) is the contra side of every expense line
 * (employee payables) — optional here so a connection check can name it when it is missing, but a
 * push refuses to run without it; `localCurrency` is the company's currency (read from
 * `companyInformation` when absent); records in another currency are rejected unless
 * `currencyRates` gives a fixed rate (`"EUR=11.5,SEK=0.98"`: local units per one foreign unit —
 * connection settings are flat strings);
 * `allowPostingFrom` / `allowPostingTo` mirror General Ledger Setup's allowed posting range,
 * which API v2.0 does not expose, for the pre-flight; `postingWaitSeconds` (default 60) bounds the
 * wait for G/L entries after a post (job-queue posting).
 */
export const dynamicsConnectionSchema = z.object({
  baseUrl: httpUrlSchema,
  tokenUrl: httpUrlSchema,
  tenantId: requiredText,
  clientId: requiredText,
  clientSecret: requiredText,
  companyId: requiredText,
  journalName: code(10),
  balancingAccountNumber: code(20).optional(),
  // Read in either form: plain (`G/L Account`) or as OData writes it (`G_x002F_L_x0020_Account`).
  balancingAccountType: z
    .preprocess(
      (value) => (typeof value === 'string' ? plainEnum(value).plain : value),
      z.enum(['G/L Account', 'Bank Account']),
    )
    .default('G/L Account'),
  localCurrency: currencyCode.optional(),
  currencyRates: z
    .string()
    .regex(
      /^\s*[A-Za-z]{3}\s*=\s*\d{1,9}(\.\d{1,6})?\s*(,\s*[A-Za-z]{3}\s*=\s*\d{1,9}(\.\d{1,6})?\s*)*$/,
      'must read like "EUR=11.5,SEK=0.98"',
    )
    .transform((text) =>
      Object.fromEntries(
        text.split(',').map((pair) => {
          const [code = '', rate = ''] = pair.split('=');
          return [code.trim().toUpperCase(), rate.trim()];
        }),
      ),
    )
    .optional(),
  allowPostingFrom: isoDate.optional(),
  allowPostingTo: isoDate.optional(),
  scope: requiredText.optional(),
  /**
   * How long to wait, after a post Business Central accepted, for its G/L entries to appear
   * ("Post with Job Queue" books them later). Records still missing then are reported unverified
   * and never posted again. Connection settings are flat strings, so it is read as a number.
   */
  postingWaitSeconds: z
    .preprocess(
      (value) =>
        value === '' || value === undefined ? undefined : typeof value === 'string' ? Number(value) : value,
      z
        .number('must be a number of seconds')
        .int('must be a whole number of seconds')
        .min(0, 'must be at least 0')
        .max(3_600, 'must be at most 3600')
        .optional(),
    )
    .transform((value) => value ?? 60),
  // How Meander's VAT categories, dimensions and employees are booked (see posting-settings.ts).
  ...postingSettingsShape,
});
/** Business Central connection settings. */
export type DynamicsConnection = z.infer<typeof dynamicsConnectionSchema>;
/** Business Central connection settings as written in the configuration (defaults not yet applied). */
export type DynamicsConnectionInput = z.input<typeof dynamicsConnectionSchema>;
