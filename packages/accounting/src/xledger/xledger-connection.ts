import { z } from 'zod';
import { httpUrlSchema, requiredText } from '../connection-settings.js';

/** The `connection` of an organization that books to Xledger. `baseUrl` is the GraphQL endpoint itself. */
export const xledgerConnectionSchema = z.object({
  baseUrl: httpUrlSchema,
  apiToken: requiredText,
});
/** Xledger connection settings. */
export type XledgerConnection = z.infer<typeof xledgerConnectionSchema>;
