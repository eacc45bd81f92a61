import { type AccountingModuleConfig, accountingModuleConfigSchema } from '@meander/domain';
import type { AccountingModuleView } from './port.js';
import { rowOf } from './rows.js';

/** A module_configurations row as either driver returns it. */
export interface ModuleRow {
  organization_id: string;
  module: string;
  enabled: boolean | number;
  config: unknown;
  /** The organization's time zone, where the statement joins it (the scheduled list). */
  organization_time_zone?: string;
}

const moduleColumns = { organization_id: 'text', module: 'text', enabled: 'bool', config: 'json?' } as const;

/** Checks a module_configurations row. */
export const moduleRow = rowOf<ModuleRow>('module configuration', {
  ...moduleColumns,
  organization_time_zone: 'skip',
});

/** Checks a module_configurations row joined with its organization's time zone. */
export const scheduledModuleRow = rowOf<ModuleRow>('scheduled module', {
  ...moduleColumns,
  organization_time_zone: 'text',
});

/**
 * Row → view. A config that no longer parses (edited by hand) is surfaced as `null` rather than
 * trusted, so the accounting module then counts as not configured.
 */
export function accountingModuleFromRow(row: ModuleRow): AccountingModuleView {
  const raw = typeof row.config === 'string' ? (JSON.parse(row.config) as unknown) : row.config;
  const parsed = accountingModuleConfigSchema.safeParse(raw);
  return {
    organizationId: row.organization_id,
    module: 'admin-accounting',
    enabled: row.enabled === true || row.enabled === 1,
    config: parsed.success ? (parsed.data as AccountingModuleConfig) : null,
    ...(row.organization_time_zone ? { timeZone: row.organization_time_zone } : {}),
  };
}
