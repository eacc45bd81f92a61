import { randomUUID } from 'node:crypto';
import {
  type AccountingModuleConfig,
  canonicalUuid,
  DEFAULT_TIME_ZONE,
  organizationNotFound,
  parseCommand,
} from '@meander/domain';
import { rethrowAsDomainError } from './constraint-errors.js';
import { all, type Driver, one, write } from './driver.js';
import { accountingModuleFromRow, moduleRow, scheduledModuleRow } from './module-row.js';
import {
  configureAccountingSchema,
  createOrganizationSchema,
  organizationFromRow,
  organizationRow,
  setTimeZoneSchema,
} from './organization-commands.js';
import { compileOrganizationStatements } from './organization-queries.js';
import type { AccountingModuleView, Organization, OrganizationStore } from './port.js';
import { isUuid } from './uuid.js';

/**
 * Organizations and their module configurations, written once for both dialects (statements in
 * organization-queries.ts; nothing here differs between them). Every write's refusal by the
 * database leaves through constraint-errors.ts as a DomainError.
 */
export class SqlOrganizationStore implements OrganizationStore {
  private readonly q;

  constructor(private readonly driver: Driver) {
    this.q = compileOrganizationStatements(driver.dialect);
  }

  async create(input: { id?: string; name: string; timeZone?: string }): Promise<Organization> {
    const command = parseCommand(createOrganizationSchema, input);
    try {
      const row = await this.driver.run(
        one(
          this.q.insert,
          {
            id: command.id ?? randomUUID(),
            name: command.name,
            createdAt: new Date().toISOString(),
            timeZone: command.timeZone ?? DEFAULT_TIME_ZONE,
          },
          organizationRow,
        ),
      );
      if (!row) throw new Error('The organization insert returned no row');
      return organizationFromRow(row);
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async get(rawId: string): Promise<Organization | null> {
    const id = canonicalUuid(rawId);
    if (!isUuid(id)) return null;
    const row = await this.driver.run(one(this.q.byId, { id }, organizationRow));
    return row ? organizationFromRow(row) : null;
  }

  async list(): Promise<Organization[]> {
    const rows = await this.driver.run(all(this.q.byName, {}, organizationRow));
    return rows.map(organizationFromRow);
  }

  async configureAccounting(input: {
    organizationId: string;
    enabled: boolean;
    config: AccountingModuleConfig;
    timeZone?: string;
  }): Promise<AccountingModuleView> {
    const command = parseCommand(configureAccountingSchema, input);
    if (!(await this.get(command.organizationId))) throw organizationNotFound(command.organizationId);
    const q = this.q;
    try {
      await this.driver.transaction(function* () {
        if (command.timeZone !== undefined) {
          yield* write(q.setTimeZone, { id: command.organizationId, timeZone: command.timeZone });
        }
        yield* write(q.configureAccounting, {
          organizationId: command.organizationId,
          module: 'admin-accounting',
          enabled: command.enabled,
          config: command.config,
          updatedAt: new Date().toISOString(),
        });
      });
    } catch (error) {
      // An organization deleted meanwhile, a config the CHECKs refuse: a DomainError, never a 500.
      rethrowAsDomainError(error);
    }
    return {
      organizationId: command.organizationId,
      module: 'admin-accounting',
      enabled: command.enabled,
      config: command.config,
    };
  }

  async setTimeZone(rawOrganizationId: string, timeZone: string): Promise<Organization> {
    const command = parseCommand(setTimeZoneSchema, { organizationId: rawOrganizationId, timeZone });
    const changed = await this.driver.run(
      write(this.q.setTimeZone, { id: command.organizationId, timeZone: command.timeZone }),
    );
    const organization = changed === 0 ? null : await this.get(command.organizationId);
    if (!organization) throw organizationNotFound(command.organizationId);
    return organization;
  }

  async getAccountingModule(rawOrganizationId: string): Promise<AccountingModuleView | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!isUuid(organizationId)) return null;
    const row = await this.driver.run(one(this.q.accountingModuleOf, { organizationId }, moduleRow));
    return row ? accountingModuleFromRow(row) : null;
  }

  async listScheduled(): Promise<AccountingModuleView[]> {
    const rows = await this.driver.run(all(this.q.scheduled, {}, scheduledModuleRow));
    return rows.map(accountingModuleFromRow).filter((m) => m.config?.schedule !== undefined);
  }
}
