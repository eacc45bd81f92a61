import {
  CURRENT_CHAIN_RECIPE,
  canonicalUuid,
  DomainError,
  deleteSyncLogCommandSchema,
  parseCommand,
  type SyncLog,
} from '@meander/domain';
import { all, one, type Program, write } from './driver.js';
import {
  type ChainLink,
  chainHash,
  GENESIS_HASH,
  interleaveTombstones,
  verifyChainPages,
} from './hash-chain.js';
import type { SealedSyncLog, SyncLogStore } from './port.js';
import { rowOf } from './rows.js';
import type { SyncLogContext } from './sql-sync-log-store.js';
import { syncLogRowById } from './sync-log-programs.js';
import type { SyncLogStatements } from './sync-log-queries.js';
import { sealedFromRow, syncLogFromRow, syncLogRow } from './sync-log-row.js';
import { redactForTombstone, tombstoneFromRow, tombstoneRow } from './tombstone.js';
import { isUuid } from './uuid.js';

const PAGE = 1_000;

const chainHeadRow = rowOf<{ chain_seq: number | string; chain_hash: string }>('chain head', {
  chain_seq: 'number',
  chain_hash: 'text',
});

/**
 * Write the terminal state and its chain seal in ONE update (the immutability trigger refuses any
 * later one). The dialect's chain lock (or its single writer) keeps the chain linear and gap-free.
 */
export function* seal(q: SyncLogStatements, log: SyncLog): Program<void> {
  // Its rows are not needed: taking the lock is the point.
  if (q.chainLock) yield* all(q.chainLock, { organizationId: log.organizationId });
  const head = yield* one(q.chainHead, { organizationId: log.organizationId }, chainHeadRow);
  const chainSeq = Number(head?.chain_seq ?? 0) + 1;
  const prevHash = head?.chain_hash ?? GENESIS_HASH;
  const changed = yield* write(q.seal, {
    id: log.id,
    status: log.status,
    recordsSynced: log.recordsSynced,
    recordsFailed: log.recordsFailed,
    errorDetails: log.errorDetails ?? null,
    externalReferenceId: log.externalReferenceId,
    payloadSummary: log.payloadSummary ?? null,
    completedAt: log.completedAt,
    chainSeq,
    prevHash,
    chainHash: chainHash(prevHash, log, CURRENT_CHAIN_RECIPE),
    chainRecipe: CURRENT_CHAIN_RECIPE,
  });
  if (changed !== 1)
    throw new DomainError('RECORD_IMMUTABLE', `Sync ${log.id} already reached a terminal status`);
}

/** The organization's chain: deleting a sealed row behind a signed tombstone, verifying, exporting. */
export function syncLogChain({
  driver,
  q,
  transaction,
}: SyncLogContext): Pick<SyncLogStore, 'delete' | 'listDeletions' | 'verifyChain' | 'streamSealed'> {
  /** The sealed rows of an organization in chain order, a page at a time. */
  async function* sealedPages(
    organizationId: string,
    bounds: { from: string; to: string } | null,
    afterSeq = 0,
  ): AsyncIterable<SealedSyncLog[]> {
    if (!isUuid(organizationId)) return;
    const statement = bounds ? q.sealedPageBetween : q.sealedPage;
    let after = afterSeq;
    for (;;) {
      const rows = await driver.run(
        all(statement, { organizationId, afterSeq: after, limit: PAGE, ...bounds }, syncLogRow),
      );
      if (rows.length === 0) return;
      const page = rows.map(sealedFromRow);
      after = (page[page.length - 1] as SealedSyncLog).chainSeq;
      yield page;
      if (rows.length < PAGE) return;
      // better-sqlite3 answers synchronously: give the event loop a turn between pages, so a long
      // verification or export never stalls the process's other requests.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  return {
    async delete(input, actor) {
      const command = parseCommand(deleteSyncLogCommandSchema, input);
      return transaction(function* () {
        const row = yield* syncLogRowById(q, command.id, true);
        if (!row) throw new DomainError('NOT_FOUND', `Sync log ${command.id} does not exist`);
        const facts = {
          syncLogId: row.id,
          organizationId: row.organization_id,
          // As PostgreSQL's uuid column gives it back, so the signed facts read back the same.
          deletedBy: actor.userId.toLowerCase(),
          deletedVia: actor.via,
          deletedAt: new Date().toISOString(),
          reason: command.reason,
          legalBasis: command.legalBasis,
          chainSeq: row.chain_seq === null || row.chain_seq === undefined ? null : Number(row.chain_seq),
          chainHash: row.chain_hash ?? null,
        };
        const signed = actor.sign?.(facts) ?? null;
        const tombstone = yield* one(
          q.insertTombstone,
          {
            ...facts,
            prevHash: row.prev_hash ?? null,
            redactedRow: redactForTombstone(syncLogFromRow(row)),
            signature: signed?.signature ?? null,
            keyId: signed?.keyId ?? null,
          },
          tombstoneRow,
        );
        if (!tombstone) throw new Error('The tombstone insert returned no row');
        yield* write(q.delete, { id: row.id });
        return tombstoneFromRow(tombstone);
      });
    },

    async listDeletions(rawOrganizationId) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return [];
      const rows = await driver.run(all(q.deletionsOf, { organizationId }, tombstoneRow));
      return rows.map(tombstoneFromRow);
    },

    async verifyChain(rawOrganizationId) {
      const organizationId = canonicalUuid(rawOrganizationId);
      if (!isUuid(organizationId)) return { ok: true, checked: 0, breaks: [], head: null };
      const rows = await driver.run(all(q.chainTombstones, { organizationId }, tombstoneRow));
      const tombstones = rows.map(
        (t): Extract<ChainLink, { kind: 'tombstone' }> => ({
          kind: 'tombstone',
          syncLogId: t.sync_log_id,
          chainSeq: Number(t.chain_seq),
          prevHash: t.prev_hash,
          chainHash: t.chain_hash,
        }),
      );
      return verifyChainPages(interleaveTombstones(sealedPages(organizationId, null), tombstones));
    },

    streamSealed(organizationId, from, to, options = {}) {
      return sealedPages(canonicalUuid(organizationId), { from, to }, options.afterSeq ?? 0);
    },
  };
}
