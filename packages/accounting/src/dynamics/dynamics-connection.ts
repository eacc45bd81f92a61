import { z } from 'zod';
import { httpUrlSchema, requiredText } from '../connection-settings.js';

/** Business Central's API audience for client-credentials tokens. */
export const BUSINESS_CENTRAL_SCOPE = 'https://api.businesscentral.dynamics.com/.default';

/**
 * The `connection` of an organization that books to Business Central. `baseUrl` is the service
 * root before `/api/v2.0` (SaaS: `https://api.businesscentral.dynamics.com/v2.0/{tenant}/{environment}`);
 * `tokenUrl` is the Entra ID token endpoint of `tenantId`.
 */
export const dynamicsConnectionSchema = z.object({
  baseUrl: httpUrlSchema,
  tokenUrl: httpUrlSchema,
  tenantId: requiredText,
  clientId: requiredText,
  clientSecret: requiredText,
  companyId: requiredText,
  journalId: requiredText,
  scope: requiredText.optional(),
});
/** Business Central connection settings. */
export type DynamicsConnection = z.infer<typeof dynamicsConnectionSchema>;
