import { z } from 'zod';
import { accountingSystemSchema } from './enums.js';

/** Five-field cron expression (minute hour day month weekday); checked for shape, not semantics. */
const cronSchema = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4}\S+$/, 'A schedule is a five-field cron expression such as "0 2 * * *"');

/** IANA time zone name such as `Europe/Oslo`. */
const timezoneSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$|^UTC$/, 'Time zone must be an IANA name such as Europe/Oslo');

/** When the scheduler exports an organization: a cron expression in the organization's time zone. */
export const syncScheduleSchema = z.strictObject({
  cron: cronSchema,
  timezone: timezoneSchema.default('UTC'),
});
/** When the scheduler exports an organization. */
export type SyncSchedule = z.infer<typeof syncScheduleSchema>;

/**
 * Connection settings for the organization's accounting system. The adapter validates its own
 * keys; the domain only bounds the shape (flat, scalar values).
 */
export const accountingConnectionSchema = z
  .record(z.string().min(1).max(64), z.union([z.string().max(2_000), z.number(), z.boolean()]))
  .refine((c) => Object.keys(c).length <= 30, { message: 'At most 30 connection settings' });
/** Connection settings for the organization's accounting system. */
export type AccountingConnection = z.infer<typeof accountingConnectionSchema>;

/** The `config` of the `admin-accounting` module. */
export const accountingModuleConfigSchema = z.strictObject({
  accountingSystem: accountingSystemSchema,
  schedule: syncScheduleSchema.optional(),
  connection: accountingConnectionSchema.optional(),
});
/** The `config` of the `admin-accounting` module. */
export type AccountingModuleConfig = z.infer<typeof accountingModuleConfigSchema>;

/** An organization's `admin-accounting` module configuration row, as the rules need it. */
export interface AccountingModuleState {
  enabled: boolean;
  config: AccountingModuleConfig | null;
}
