import {
  accountingModuleConfigSchema,
  DEFAULT_TIME_ZONE,
  displayTextSchema,
  timeZoneSchema,
  uuidSchema,
} from '@meander/domain';
import { z } from 'zod';
import type { Organization } from './port.js';
import { rowOf } from './rows.js';

/** Input of organizations.create. */
export const createOrganizationSchema = z.strictObject({
  id: uuidSchema.optional(),
  name: displayTextSchema(1, 200),
  /** IANA zone its periods are computed and shown in; `UTC` when left out. */
  timeZone: timeZoneSchema.optional(),
});

export const configureAccountingSchema = z.strictObject({
  organizationId: uuidSchema,
  enabled: z.boolean(),
  config: accountingModuleConfigSchema,
  /** When given, the organization's time zone changes with its module configuration. */
  timeZone: timeZoneSchema.optional(),
});

export const setTimeZoneSchema = z.strictObject({ organizationId: uuidSchema, timeZone: timeZoneSchema });

export interface OrganizationRow {
  id: string;
  name: string;
  created_at: string | Date;
  time_zone?: string | null;
}

/** Checks an organizations row. */
export const organizationRow = rowOf<OrganizationRow>('organization', {
  id: 'text',
  name: 'text',
  created_at: 'time',
  time_zone: 'skip',
});

export function organizationFromRow(row: OrganizationRow): Organization {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    timeZone: row.time_zone ?? DEFAULT_TIME_ZONE,
  };
}
