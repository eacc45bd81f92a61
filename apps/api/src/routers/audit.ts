import { type SealedSyncLog, type SignedCheckpoint, verifyAgainstCheckpoint } from '@meander/db';
import { CHAIN_FIELDS_V1, isoDateTimeSchema, organizationNotFound } from '@meander/domain';
import { z } from 'zod';
import { procedureFor, router } from '../trpc/init.js';
import { requireOrganizationScope } from './tenancy.js';

/**
 * How an auditor recomputes the chain from an evidence export: a summary of the one documented
 * recipe (packages/db/README.md, "The hash chain, for auditors"), its field list read from the domain.
 */
const HASHING_RECIPE = [
  'Rows are sealed per organization in chain_seq order (1, 2, 3, … with no gaps; a deleted row leaves a tombstone with its chain_seq and chain_hash).',
  'Each row carries chainRecipe, the recipe it was sealed with; recipe 1 is the only one so far.',
  `canonical_json(row) under recipe 1 = JSON of the ${CHAIN_FIELDS_V1.length} spec fields in camelCase (${CHAIN_FIELDS_V1.join(', ')}), keys sorted by code unit at every depth, no whitespace, absent values as null, datetimes as YYYY-MM-DDTHH:mm:ss.sssZ.`,
  'chain_hash = lowercase hex SHA-256 of UTF-8 (prev_hash + "\\n" + canonical_json(row)); the first row’s prev_hash is 64 zeros.',
  'Each row’s prev_hash equals the chain_hash of the row (or tombstone) before it.',
].join('\n');

const PAGE_LIMIT = 1_000;

/** A signed checkpoint as an auditor hands it back (from `audit.checkpoint` or an evidence manifest). */
const checkpointInput = z.object({
  organizationId: z.uuid(),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().min(0),
  at: isoDateTimeSchema,
  signature: z.string().min(1).max(200),
  publicKey: z.string().min(1).max(1_000),
  keyId: z.string().max(64).optional(),
});

/** How an auditor checks a checkpoint's signature without this product. */
const CHECKPOINT_RECIPE = [
  'message = "meander-checkpoint/v1\\n" + canonical_json({ at, count, hash, organizationId, seq }) (keys sorted, no whitespace).',
  'signature = base64 Ed25519 signature of the UTF-8 message; publicKey = the signer’s SPKI PEM.',
  'seq/hash = the chain head (chain_seq, chain_hash) when signed; count = links (rows + tombstones) with chain_seq <= seq.',
  'A chain matches the checkpoint when the link at seq still has hash and there are count links up to it.',
].join('\n');

export const auditRouter = router({
  /**
   * Walk the organization's hash chain and check it against a signed checkpoint: the one given
   * (an auditor's) or the newest in the checkpoint log. Every break names what is wrong.
   */
  verify: procedureFor('audit.verify')
    .input(z.strictObject({ organizationId: z.uuid(), checkpoint: checkpointInput.optional() }))
    .query(({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      const given = input.checkpoint
        ? ({ keyId: '', ...input.checkpoint } satisfies SignedCheckpoint)
        : undefined;
      return verifyAgainstCheckpoint(ctx.db, organizationId, {
        given,
        trustedPublicKey: ctx.checkpointer.signer.publicKeyPem,
      });
    }),

  /** The newest signed checkpoint of the organization's chain (signing the head first if it moved). */
  checkpoint: procedureFor('audit.verify')
    .input(z.strictObject({ organizationId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const organizationId = requireOrganizationScope(ctx.principal, input.organizationId);
      if (!(await ctx.db.organizations.get(organizationId))) {
        throw organizationNotFound(organizationId);
      }
      return latestCheckpoint(ctx, organizationId);
    }),

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
      const checkpoint = await latestCheckpoint(ctx, organizationId);
      // The chain walk and the checkpoint check together: a truncated chain is not "verified".
      const verification = await verifyAgainstCheckpoint(ctx.db, organizationId, {
        trustedPublicKey: ctx.checkpointer.signer.publicKeyPem,
      });
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
          // The signed head at export time: the auditor keeps it and later runs
          // `meander-sync verify --checkpoint <manifest>` against the live chain.
          checkpoint,
          checkpointRecipe: CHECKPOINT_RECIPE,
        },
      };
    }),
});

/**
 * Sign the head now when it moved (evidence exports always carry a current checkpoint). When the
 * chain no longer extends the last checkpoint, nothing new is signed: the newest existing one is
 * returned, and `audit.verify` names the conflict.
 */
async function latestCheckpoint(
  ctx: { db: { checkpoints: { latest(id: string): Promise<SignedCheckpoint | null> } } } & {
    checkpointer: { checkpoint(id: string): Promise<SignedCheckpoint> };
  },
  organizationId: string,
): Promise<SignedCheckpoint | null> {
  try {
    return await ctx.checkpointer.checkpoint(organizationId);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'CHECKPOINT_CONFLICT')
      return ctx.db.checkpoints.latest(organizationId);
    throw error;
  }
}
