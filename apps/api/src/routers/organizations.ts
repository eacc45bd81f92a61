import {
  accountingConnectionSchema,
  accountingSystemSchema,
  DomainError,
  displayTextSchema,
  syncScheduleSchema,
  timeZoneSchema,
} from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { checkConnectionSettings, checkOrganizationConnection } from './connection-check.js';
import { requireOrganizationScope } from './tenancy.js';

export const organizationsRouter = router({
  /** Create an organization (global admins). */
  create: procedureFor('organization.manage')
    .input(
      z.strictObject({
        name: displayTextSchema(1, 200),
        id: z.uuid().optional(),
        // IANA zone its periods are computed and shown in (`UTC` when left out).
        timeZone: timeZoneSchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.db.organizations.create(input)),

  /** Enable or disable the `admin-accounting` module and set its system, schedule and connection. */
  configureAccounting: procedureFor('organization.manage')
    .input(
      z.strictObject({
        organizationId: z.uuid(),
        enabled: z.boolean(),
        accountingSystem: accountingSystemSchema,
        // A schedule without a zone runs in the organization's (not UTC).
        schedule: syncScheduleSchema.extend({ timezone: timeZoneSchema.optional() }).optional(),
        // Omitted: the stored connection stays as it is. null: remove it.
        connection: accountingConnectionSchema.nullable().optional(),
        // true: a new connection is stored only when the ledger's read-only checks pass.
        verifyConnection: z.boolean().optional(),
        // The organization's IANA time zone; omitted: unchanged.
        timeZone: timeZoneSchema.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      // Settings hold credentials a caller may not have at hand: leaving them out must not erase them.
      const connection =
        input.connection === undefined
          ? (await ctx.db.organizations.getAccountingModule(input.organizationId))?.config?.connection
          : (input.connection ?? undefined);
      if (input.verifyConnection && input.connection) {
        const report = await checkConnectionSettings(input.accountingSystem, input.connection);
        if (!report.ok) {
          throw new DomainError(
            'VALIDATION_FAILED',
            'The connection was not stored: the ledger refused or lacks what the settings name',
            report.checks
              .filter((check) => !check.ok)
              .map((check) => ({
                rule: 'connection_check',
                severity: 'error' as const,
                path: ['connection', check.name],
                message: check.message,
              })),
          );
        }
      }
      const zone =
        input.timeZone ?? (await ctx.db.organizations.get(input.organizationId))?.timeZone ?? 'UTC';
      const schedule = input.schedule && {
        cron: input.schedule.cron,
        timezone: input.schedule.timezone ?? zone,
      };
      const view = await ctx.db.organizations.configureAccounting({
        organizationId: input.organizationId,
        enabled: input.enabled,
        ...(input.timeZone ? { timeZone: input.timeZone } : {}),
        config: {
          accountingSystem: input.accountingSystem,
          ...(schedule ? { schedule } : {}),
          ...(connection ? { connection } : {}),
        },
      });
      const organization = await ctx.db.organizations.get(input.organizationId);
      // Connection settings hold credentials: they are written, never echoed back.
      return {
        ...view,
        timeZone: organization?.timeZone ?? 'UTC',
        config: view.config ? { ...view.config, connection: undefined } : null,
      };
    }),

  /**
   * Read-only checks of the organization's ledger connection (credentials, company/journal or
   * entity, configured accounts): `{ ok, checks: [{ name, ok, message }] }`. Admins, own org.
   */
  checkConnection: procedureFor('sync.export')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      requireOrganizationScope(ctx.principal, input.organizationId);
      if (!(await ctx.db.organizations.get(input.organizationId))) {
        throw new DomainError('NOT_FOUND', `Organization ${input.organizationId} does not exist`);
      }
      return checkOrganizationConnection(ctx.db, ctx.credentials, input.organizationId);
    }),

  /** Organizations the caller may see. */
  list: procedureFor('syncLog.read').query(async ({ ctx }) => {
    const all = await ctx.db.organizations.list();
    const principal = ctx.principal;
    return principal.role === 'org_admin' ? all.filter((o) => o.id === principal.organizationId) : all;
  }),

  /** One organization with its accounting module (connection settings withheld). */
  get: procedureFor('syncLog.read')
    .input(z.strictObject({ id: z.uuid() }))
    .query(async ({ ctx, input }) => {
      if (ctx.principal.role === 'org_admin' && input.id !== ctx.principal.organizationId) {
        throw new DomainError('NOT_FOUND', `Organization ${input.id} does not exist`);
      }
      requireOrganizationScope(ctx.principal, input.id);
      const organization = await ctx.db.organizations.get(input.id);
      if (!organization) throw new DomainError('NOT_FOUND', `Organization ${input.id} does not exist`);
      const module = await ctx.db.organizations.getAccountingModule(input.id);
      return {
        ...organization,
        accounting: module
          ? {
              enabled: module.enabled,
              accountingSystem: module.config?.accountingSystem ?? null,
              schedule: module.config?.schedule ?? null,
            }
          : null,
      };
    }),
});
