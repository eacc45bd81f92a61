import type { SealedSyncLog } from '@meander/db';
import { CHAIN_FIELDS_V1, isoDateTimeSchema } from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { requireOrganizationScope } from './tenancy.js';

/**
 * How an auditor recomputes the chain from an evidence export: a summary of the one documented
 * recipe (packages/db/README.md, "The hash chain, for auditors"), its field list read from the domain.
 */
export const HASHING_RECIPE = [
  'Rows are sealed per organization in chain_seq order (1, 2, 3, … with no gaps; a deleted row leaves a tombstone with its chain_seq and chain_hash).',
  'Each row carries chainRecipe, the recipe it was sealed with; recipe 1 is the only one so far.',
  `canonical_json(row) under recipe 1 = JSON of the ${CHAIN_FIELDS_V1.length} spec fields in camelCase (${CHAIN_FIELDS_V1.join(', ')}), keys sorted by code unit at every depth, no whitespace, absent values as null, datetimes as YYYY-MM-DDTHH:mm:ss.sssZ.`,
  'chain_hash = lowercase hex SHA-256 of UTF-8 (prev_hash + "\\n" + canonical_json(row)); the first row’s prev_hash is 64 zeros.',
  'Each row’s prev_hash equals the chain_hash of the row (or tombstone) before it.',
].join('\n');

const PAGE_LIMIT = 1_000;

export const auditRouter = router({
  /** Walk the organization's hash chain and report every break. */
  verify: procedureFor('audit.verify')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(({ ctx, input }) =>
      ctx.db.syncLogs.verifyChain(requireOrganizationScope(ctx.principal, input.organizationId)),
    ),

  /**
   * Evidence for auditors, one page at a time: sealed rows whose `startedAt` is in `[from, to]`
   * in chain order; the first page (no cursor) also carries the tombstones and the manifest.
   */
  evidence: procedureFor('audit.verify')
    .input(
      z.strictObject({
        organizationId: z.uuid(),
        from: isoDateTimeSchema,
        to: isoDateTimeSchema,
        cursor: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(PAGE_LIMIT).default(PAGE_LIMIT),
      }),
    )
    .query(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      const rows: SealedSyncLog[] = [];
      for await (const page of ctx.db.syncLogs.streamSealed(organizationId, input.from, input.to, {
        afterSeq: input.cursor ?? 0,
      })) {
        rows.push(...page.slice(0, input.limit - rows.length));
        if (rows.length >= input.limit) break;
      }
      const last = rows[rows.length - 1];
      const nextCursor = rows.length === input.limit && last ? last.chainSeq : null;
      if (input.cursor !== undefined) return { rows, nextCursor, tombstones: null, manifest: null };
      const verification = await ctx.db.syncLogs.verifyChain(organizationId);
      return {
        rows,
        nextCursor,
        tombstones: await ctx.db.syncLogs.listDeletions(organizationId),
        manifest: {
          organizationId,
          from: input.from,
          to: input.to,
          generatedAt: ctx.now().toISOString(),
          chainHead: verification.head,
          chainVerified: verification.ok,
          chainLength: verification.checked,
          breaks: verification.breaks,
          hashing: HASHING_RECIPE,
        },
      };
    }),
});
