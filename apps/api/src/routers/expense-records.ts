import type { Database } from '@meander/db';
import {
  DomainError,
  EXPENSE_RECORD_STATES,
  MAX_UPSERT_RECORDS,
  organizationNotFound,
} from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { scopeOrganization } from './tenancy.js';

/** Refuse an organization that does not exist, for the whole request. */
async function requireOrganization(db: Database, organizationId: string): Promise<void> {
  if (!(await db.organizations.get(organizationId))) throw organizationNotFound(organizationId);
}

const calendarDate = z.iso.date();

/**
 * The intake: Meander's expense system (a service token) hands approved expense records over and
 * takes approval back; admins read them. Each record is checked on its own by the domain inside the
 * store (`records` is taken as unknown values here so one bad record never refuses its batch);
 * whole-request problems (unknown organization, more than 1,000 records) are typed errors.
 */
export const expenseRecordsRouter = router({
  upsert: procedureFor('expenseRecord.write')
    .input(
      z.object({
        organizationId: z.uuid(),
        records: z.array(z.unknown()).min(1).max(MAX_UPSERT_RECORDS),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await requireOrganization(ctx.db, input.organizationId);
      return ctx.db.expenseRecords.upsert(input.organizationId, input.records);
    }),

  withdraw: procedureFor('expenseRecord.write')
    .input(
      z.object({ organizationId: z.uuid(), ids: z.array(z.string().max(64)).min(1).max(MAX_UPSERT_RECORDS) }),
    )
    .mutation(async ({ ctx, input }) => {
      await requireOrganization(ctx.db, input.organizationId);
      return ctx.db.expenseRecords.withdraw(input.organizationId, input.ids);
    }),

  list: procedureFor('expenseRecord.read')
    .input(
      z.object({
        organizationId: z.uuid().optional(),
        state: z.enum(EXPENSE_RECORD_STATES).optional(),
        bookingDateFrom: calendarDate.optional(),
        bookingDateTo: calendarDate.optional(),
        cursor: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const organizationId = scopeOrganization(ctx.principal, input.organizationId);
      if (!organizationId)
        throw new DomainError('VALIDATION_FAILED', 'Validation failed: name the organization to list', [
          {
            rule: 'schema',
            severity: 'error',
            path: ['organizationId'],
            message: 'Required for a global admin',
          },
        ]);
      await requireOrganization(ctx.db, organizationId);
      return ctx.db.expenseRecords.list({ ...input, organizationId });
    }),

  get: procedureFor('expenseRecord.read')
    .input(z.object({ id: z.uuid(), organizationId: z.uuid().optional() }))
    .query(async ({ ctx, input }) => {
      // Another organization's record answers NOT_FOUND exactly like a missing one.
      const organizationId = scopeOrganization(ctx.principal, input.organizationId) ?? null;
      const record = await ctx.db.expenseRecords.get(organizationId, input.id);
      if (!record) throw new DomainError('NOT_FOUND', `Expense record ${input.id} does not exist`);
      return record;
    }),
});
