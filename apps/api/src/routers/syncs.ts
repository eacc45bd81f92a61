import {
  AccountingError,
  createAdapterForModule,
  type PlannedDocument,
  type RejectedRecord,
} from '@meander/accounting';
import { type Database, openStoredConnection } from '@meander/db';
import {
  assertAccountingModuleEnabled,
  assertPeriodSpanBounded,
  checkPeriodEndAfterPeriodStart,
  DomainError,
  idempotencyKeySchema,
  isoDateTimeSchema,
  isTerminalStatus,
  organizationNotFound,
  type Principal,
  reverseSyncInputSchema,
  type SyncLog,
} from '@meander/domain';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { procedureFor, router, toTrpcError } from '../trpc/init.js';
import { requireOrganizationScope, visibleSyncLog } from './tenancy.js';

const periodInput = {
  organizationId: z.uuid(),
  periodStart: isoDateTimeSchema,
  periodEnd: isoDateTimeSchema,
};

/** The organization's configured system, refusing unknown organizations and disabled modules. */
async function configuredSystem(db: Database, organizationId: string) {
  if (!(await db.organizations.get(organizationId))) {
    throw organizationNotFound(organizationId);
  }
  const module = await db.organizations.getAccountingModule(organizationId);
  assertAccountingModuleEnabled(organizationId, module);
  const system = module?.config?.accountingSystem;
  if (!system) assertAccountingModuleEnabled(organizationId, null);
  return system as NonNullable<typeof system>;
}

/** A preview's period follows the export's rules: it ends after it starts, and spans at most five years. */
function assertPreviewPeriod(periodStart: string, periodEnd: string): void {
  const issues = checkPeriodEndAfterPeriodStart({ periodStart, periodEnd });
  if (issues.length > 0) throw new DomainError('VALIDATION_FAILED', issues[0]?.message ?? '', issues);
  assertPeriodSpanBounded(periodStart, periodEnd);
}

/** A user who triggers a sync is recorded; services are automation and leave `triggeredBy` null. */
function triggeredByOf(principal: Principal): string | null {
  return principal.role === 'service' ? null : principal.userId;
}

/** The fields of a progress event: what a progress bar needs, nothing more. */
export interface SyncProgressEvent {
  id: string;
  status: SyncLog['status'];
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  startedAt: string;
  completedAt: string | null;
  externalReferenceId: string | null;
  terminal: boolean;
}

function progressOf(log: SyncLog): SyncProgressEvent {
  return {
    id: log.id,
    status: log.status,
    recordsTotal: log.recordsTotal,
    recordsSynced: log.recordsSynced,
    recordsFailed: log.recordsFailed,
    startedAt: log.startedAt,
    completedAt: log.completedAt,
    externalReferenceId: log.externalReferenceId,
    terminal: isTerminalStatus(log.status),
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Records read per pre-flight call, and at most this many documents/rejections listed in a preview. */
const PREVIEW_BATCH = 500;
const PREVIEW_LIST_LIMIT = 1_000;

/** What `syncs.preview` answers: the documents a push would post and the predicted rejections. */
export interface SyncPreview {
  organizationId: string;
  accountingSystem: string;
  periodStart: string;
  periodEnd: string;
  recordsTotal: number;
  documentCount: number;
  rejectedCount: number;
  /** At most 1,000 of each; `truncated` says when there were more. */
  documents: PlannedDocument[];
  rejected: RejectedRecord[];
  truncated: boolean;
}

/** A ledger problem met while previewing, as a typed tRPC error (never a 500). */
function ledgerError(error: AccountingError): TRPCError {
  const transient = ['unavailable', 'rate_limit'].includes(error.details.category);
  return new TRPCError({
    code: transient ? 'SERVICE_UNAVAILABLE' : 'PRECONDITION_FAILED',
    message: `${error.details.code}: ${error.message}`,
    cause: error,
  });
}

export const syncsRouter = router({
  /**
   * A dry run of an export: the documents the organization's ledger would receive for the
   * period and the records it would refuse, found with read-only calls. Writes nothing — no sync
   * log row, no ledger write.
   */
  preview: procedureFor('sync.export')
    .input(z.strictObject(periodInput))
    .query(async ({ ctx, input, signal }): Promise<SyncPreview> => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      assertPreviewPeriod(input.periodStart, input.periodEnd);
      const accountingSystem = await configuredSystem(ctx.db, organizationId);
      const module = await ctx.db.organizations.getAccountingModule(organizationId);
      const preview: SyncPreview = {
        organizationId,
        accountingSystem,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        recordsTotal: 0,
        documentCount: 0,
        rejectedCount: 0,
        documents: [],
        rejected: [],
        truncated: false,
      };
      try {
        const adapter = createAdapterForModule(organizationId, module, {}, (id, connection) =>
          openStoredConnection(ctx.credentials, id, connection),
        );
        const selection = { organizationId, periodStart: input.periodStart, periodEnd: input.periodEnd };
        for await (const batch of ctx.db.expenseRecords.streamApproved(selection, PREVIEW_BATCH)) {
          const planned = await adapter.preflight(batch, { organizationId, ...(signal ? { signal } : {}) });
          preview.recordsTotal += batch.length;
          preview.documentCount += planned.documents.length;
          preview.rejectedCount += planned.rejected.length;
          for (const document of planned.documents) {
            if (preview.documents.length < PREVIEW_LIST_LIMIT) preview.documents.push(document);
            else preview.truncated = true;
          }
          for (const rejection of planned.rejected) {
            if (preview.rejected.length < PREVIEW_LIST_LIMIT) preview.rejected.push(rejection);
            else preview.truncated = true;
          }
        }
      } catch (error) {
        if (error instanceof AccountingError) throw ledgerError(error);
        throw error;
      }
      return preview;
    }),

  /**
   * A manual export by an admin: records the intent as a `pending` sync (the worker runs it) with
   * `triggeredBy` = the admin and `recordsTotal` = the approved records of the period.
   */
  startExport: procedureFor('sync.export')
    .input(z.strictObject(periodInput))
    .mutation(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      const accountingSystem = await configuredSystem(ctx.db, organizationId);
      const recordsTotal = await ctx.db.expenseRecords.countApproved({ ...input, organizationId });
      const { syncLog, warnings } = await ctx.db.syncLogs.create({
        organizationId,
        accountingSystem,
        syncType: 'manual',
        triggeredBy: ctx.principal.userId,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        recordsTotal,
      });
      return { ...syncLog, warnings };
    }),

  /**
   * An API-triggered push. The same idempotency key returns the same sync; the same key with a
   * different organization period is a CONFLICT (`IDEMPOTENCY_KEY_CONFLICT`).
   */
  push: procedureFor('sync.push')
    .input(z.strictObject({ ...periodInput, idempotencyKey: idempotencyKeySchema }))
    .mutation(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      const previous = await ctx.db.syncLogs.findByIdempotencyKey(organizationId, input.idempotencyKey);
      if (previous) {
        if (
          previous.periodStart !== input.periodStart ||
          previous.periodEnd !== input.periodEnd ||
          previous.syncType !== 'api'
        ) {
          throw new DomainError(
            'IDEMPOTENCY_KEY_CONFLICT',
            `Idempotency key ${input.idempotencyKey} was already used for a different push (sync ${previous.id})`,
            [
              {
                rule: 'schema',
                severity: 'error',
                path: ['idempotencyKey'],
                message: 'Key reused with a different body',
              },
            ],
          );
        }
        return { ...previous, warnings: [] };
      }
      const accountingSystem = await configuredSystem(ctx.db, organizationId);
      const recordsTotal = await ctx.db.expenseRecords.countApproved({ ...input, organizationId });
      const { syncLog, warnings } = await ctx.db.syncLogs.create({
        organizationId,
        accountingSystem,
        syncType: 'api',
        triggeredBy: triggeredByOf(ctx.principal),
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        recordsTotal,
        idempotencyKey: input.idempotencyKey,
      });
      return { ...syncLog, warnings };
    }),

  /**
   * Reverse a success or partial sync: a NEW manual sync by the caller for the same organization,
   * system and period (`payloadSummary.reversal` = `{ of, reason }`) that posts the reversing
   * document of every record the original left posted, and releases each one it reversed (it may
   * then change and be exported again). Once per sync (`SYNC_ALREADY_REVERSED`; a reversal that
   * did not finish is re-synced); a reversal, or a sync that is not success or partial, is
   * `SYNC_NOT_REVERSIBLE`.
   */
  reverse: procedureFor('sync.reverse')
    .input(reverseSyncInputSchema)
    .mutation(async ({ ctx, input }) => {
      const original = await visibleSyncLog(ctx, ctx.principal, input.syncLogId);
      return ctx.db.syncLogs.createReversal({
        syncLogId: original.id,
        reason: input.reason,
        triggeredBy: ctx.principal.userId,
      });
    }),

  /** The reversal of a sync (its first; re-syncs of it name it as their parent), or null. */
  reversalOf: procedureFor('syncLog.read')
    .input(z.strictObject({ syncLogId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const original = await visibleSyncLog(ctx, ctx.principal, input.syncLogId);
      return ctx.db.syncLogs.findReversalOf(original.id);
    }),

  /** Progress events of one sync (SSE), from its current state until it is terminal. */
  progress: procedureFor('sync.watch')
    .input(z.strictObject({ id: z.uuid() }))
    .subscription(async function* ({ ctx, input, signal }) {
      let last = '';
      for (;;) {
        // Another organization's sync, an unknown id, a row deleted mid-stream: delivered once as
        // NOT_FOUND (FORBIDDEN, 503 likewise), never as a retryable internal error.
        const log = await visibleSyncLog(ctx, ctx.principal, input.id).catch((error: unknown) => {
          throw toTrpcError(error) ?? error;
        });
        const event = progressOf(log);
        const key = JSON.stringify(event);
        if (key !== last) {
          last = key;
          yield event;
        }
        if (event.terminal || signal?.aborted) return;
        await sleep(ctx.progressPollMs, signal);
      }
    }),
});
