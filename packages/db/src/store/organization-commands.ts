import { accountingModuleConfigSchema, displayTextSchema, uuidSchema } from '@meander/domain';
import { z } from 'zod';
import type { Organization } from './port.js';

/** Input of organizations.create. */
export const createOrganizationSchema = z.strictObject({
  id: uuidSchema.optional(),
  name: displayTextSchema(1, 200),
});

export const configureAccountingSchema = z.strictObject({
  organizationId: uuidSchema,
  enabled: z.boolean(),
  config: accountingModuleConfigSchema,
});

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: string | Date;
}

export function organizationFromRow(row: OrganizationRow): Organization {
  return { id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() };
}
