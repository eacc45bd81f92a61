import { randomUUID } from 'node:crypto';
import { type AccountingModuleConfig, canonicalUuid, DomainError, parseCommand } from '@meander/domain';
import type BetterSqlite3 from 'better-sqlite3';
import { rethrowAsDomainError } from '../constraint-errors.js';
import { accountingModuleFromRow, type ModuleRow } from '../module-row.js';
import {
  configureAccountingSchema,
  createOrganizationSchema,
  type OrganizationRow,
  organizationFromRow,
} from '../organization-commands.js';
import type { AccountingModuleView, Organization, OrganizationStore } from '../port.js';

/** SQLite organizations and their module configurations. */
export class SqliteOrganizationStore implements OrganizationStore {
  constructor(private readonly db: BetterSqlite3.Database) {}

  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  /** Prepared statements are compiled once per store and reused (SQLite's parse cost is per prepare). */
  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async create(input: { id?: string; name: string }): Promise<Organization> {
    const command = parseCommand(createOrganizationSchema, input);
    const organization = {
      id: command.id ?? randomUUID(),
      name: command.name,
      createdAt: new Date().toISOString(),
    };
    try {
      this.prepare('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)').run(
        organization.id,
        organization.name,
        organization.createdAt,
      );
    } catch (error) {
      rethrowAsDomainError(error);
    }
    return organization;
  }

  async get(rawId: string): Promise<Organization | null> {
    const id = canonicalUuid(rawId);
    const row = this.prepare('SELECT * FROM organizations WHERE id = ?').get(id) as
      | OrganizationRow
      | undefined;
    return row ? organizationFromRow(row) : null;
  }

  async list(): Promise<Organization[]> {
    return (this.prepare('SELECT * FROM organizations ORDER BY name, id').all() as OrganizationRow[]).map(
      organizationFromRow,
    );
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
    try {
      this.prepare(
        `INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at)
           VALUES (?, 'admin-accounting', ?, ?, ?)
           ON CONFLICT (organization_id, module) DO UPDATE SET enabled = excluded.enabled, config = excluded.config,
             updated_at = excluded.updated_at`,
      ).run(
        command.organizationId,
        command.enabled ? 1 : 0,
        JSON.stringify(command.config),
        new Date().toISOString(),
      );
    } catch (error) {
      // As on PostgreSQL: a refusal of the database (an organization deleted meanwhile) is a DomainError.
      rethrowAsDomainError(error);
    }
    return {
      organizationId: command.organizationId,
      module: 'admin-accounting',
      enabled: command.enabled,
      config: command.config,
    };
  }

  async getAccountingModule(rawOrganizationId: string): Promise<AccountingModuleView | null> {
    const organizationId = canonicalUuid(rawOrganizationId);
    const row = this.prepare(
      "SELECT * FROM module_configurations WHERE organization_id = ? AND module = 'admin-accounting'",
    ).get(organizationId) as ModuleRow | undefined;
    return row ? accountingModuleFromRow(row) : null;
  }

  async listScheduled(): Promise<AccountingModuleView[]> {
    const rows = this.prepare(
      "SELECT * FROM module_configurations WHERE module = 'admin-accounting' AND enabled = 1 ORDER BY organization_id",
    ).all() as ModuleRow[];
    return rows.map(accountingModuleFromRow).filter((m) => m.config?.schedule !== undefined);
  }
}
