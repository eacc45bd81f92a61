import { randomUUID } from 'node:crypto';
import { type AccountingModuleConfig, canonicalUuid, DomainError, parseCommand } from '@meander/domain';
import type postgres from 'postgres';
import { rethrowAsDomainError } from '../constraint-errors.js';
import { accountingModuleFromRow, type ModuleRow } from '../module-row.js';
import {
  configureAccountingSchema,
  createOrganizationSchema,
  organizationFromRow,
} from '../organization-commands.js';
import type { AccountingModuleView, Organization, OrganizationStore } from '../port.js';
import { jsonb } from './json.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PostgreSQL organizations and their module configurations. */
export class PgOrganizationStore implements OrganizationStore {
  constructor(private readonly sql: postgres.Sql) {}

  async create(input: { id?: string; name: string }): Promise<Organization> {
    const command = parseCommand(createOrganizationSchema, input);
    try {
      const [row] = await this.sql<{ id: string; name: string; created_at: Date }[]>`
        INSERT INTO organizations (id, name, created_at) VALUES (${command.id ?? randomUUID()}, ${command.name}, ${new Date().toISOString()})
        RETURNING *`;
      return organizationFromRow(row as { id: string; name: string; created_at: Date });
    } catch (error) {
      rethrowAsDomainError(error);
    }
  }

  async get(rawId: string): Promise<Organization | null> {
    const id = canonicalUuid(rawId);
    if (!UUID.test(id)) return null;
    const [row] = await this.sql<
      { id: string; name: string; created_at: Date }[]
    >`SELECT * FROM organizations WHERE id = ${id}`;
    return row ? organizationFromRow(row) : null;
  }

  async list(): Promise<Organization[]> {
    const rows = await this.sql<
      { id: string; name: string; created_at: Date }[]
    >`SELECT * FROM organizations ORDER BY name, id`;
    return rows.map(organizationFromRow);
  }

  async configureAccounting(input: {
    organizationId: string;
    enabled: boolean;
    config: AccountingModuleConfig;
  }): Promise<AccountingModuleView> {
    const command = parseCommand(configureAccountingSchema, input);
    if (!(await this.get(command.organizationId))) {
      throw new DomainError(
        'ORGANIZATION_NOT_FOUND',
        `Organization ${command.organizationId} does not exist`,
        [
          {
            rule: 'organization_id_exists',
            severity: 'error',
            path: ['organizationId'],
            message: 'Unknown organization',
          },
        ],
      );
    }
    await this.sql`
      INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at)
      VALUES (${command.organizationId}, 'admin-accounting', ${command.enabled}, ${jsonb(this.sql, command.config)}, ${new Date().toISOString()})
      ON CONFLICT (organization_id, module) DO UPDATE SET enabled = excluded.enabled, config = excluded.config,
        updated_at = excluded.updated_at`.catch(rethrowAsDomainError);
    return {
      organizationId: command.organizationId,
      module: 'admin-accounting',
      enabled: command.enabled,
      config: command.config,
    };
  }

  async getAccountingModule(rawOrganizationId: string): Promise<AccountingModuleView | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    if (!UUID.test(organizationId)) return null;
    const [row] = await this.sql<ModuleRow[]>`
      SELECT * FROM module_configurations WHERE organization_id = ${organizationId} AND module = 'admin-accounting'`;
    return row ? accountingModuleFromRow(row) : null;
  }

  async listScheduled(): Promise<AccountingModuleView[]> {
    const rows = await this.sql<ModuleRow[]>`
      SELECT * FROM module_configurations WHERE module = 'admin-accounting' AND enabled ORDER BY organization_id`;
    return rows.map(accountingModuleFromRow).filter((m) => m.config?.schedule !== undefined);
  }
}
