import { createHash } from 'node:crypto';
import {
  type ChainRecipeVersion,
  CURRENT_CHAIN_RECIPE,
  canonicalSyncLogJson,
  isChainRecipeVersion,
  type SyncLog,
} from '@meander/domain';
import type { ChainBreak, ChainVerification, SealedSyncLog } from './port.js';

/** The previous hash of an organization's first sealed row. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hashing recipe, documented once in packages/db/README.md ("The hash chain, for auditors"):
 * `chain_hash = sha256_hex(prev_hash + "\n" + canonical_json(row, recipe))`. The recipe version is
 * stored beside the hash (`chain_recipe`), so a later recipe never makes an older row look altered.
 */
export function chainHash(
  prevHash: string,
  syncLog: SyncLog,
  recipe: ChainRecipeVersion = CURRENT_CHAIN_RECIPE,
): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalSyncLogJson(syncLog, recipe)}`, 'utf8')
    .digest('hex');
}

/** A link the verifier walks: either a live sealed row or a deletion tombstone standing in for one. */
export type ChainLink =
  | { kind: 'row'; row: SealedSyncLog }
  | {
      kind: 'tombstone';
      syncLogId: string;
      chainSeq: number;
      prevHash: string | null;
      chainHash: string | null;
    };

/**
 * Walks an organization's chain page by page (bounded memory) and reports every break:
 * - `missing`: a sequence number with neither a row nor a tombstone;
 * - `altered`: a row whose recomputed hash differs from the stored one;
 * - `reordered`: a row whose `prev_hash` does not link to its predecessor.
 */
export async function verifyChainPages(pages: AsyncIterable<ChainLink[]>): Promise<ChainVerification> {
  const breaks: ChainBreak[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let head: ChainVerification['head'] = null;

  for await (const page of pages) {
    for (const link of page) {
      const seq = link.kind === 'row' ? link.row.chainSeq : link.chainSeq;
      const syncLogId = link.kind === 'row' ? link.row.id : link.syncLogId;
      while (expectedSeq < seq) {
        breaks.push({ chainSeq: expectedSeq, syncLogId: null, kind: 'missing' });
        expectedSeq += 1;
        // The successor's prev_hash can't be checked against a row we never saw.
        prevHash = '';
      }
      checked += 1;
      if (link.kind === 'row') {
        const { chainSeq, prevHash: storedPrev, chainHash: storedHash, chainRecipe, ...spec } = link.row;
        if (prevHash !== '' && storedPrev !== prevHash) {
          breaks.push({
            chainSeq,
            syncLogId,
            kind: 'reordered',
            expectedHash: prevHash,
            actualHash: storedPrev,
          });
        }
        // A recipe this code does not know cannot be checked: it counts as altered, never as fine.
        const recomputed = isChainRecipeVersion(chainRecipe)
          ? chainHash(storedPrev, spec, chainRecipe)
          : `unknown chain recipe ${chainRecipe}`;
        if (recomputed !== storedHash) {
          breaks.push({
            chainSeq,
            syncLogId,
            kind: 'altered',
            expectedHash: storedHash,
            actualHash: recomputed,
          });
        }
        prevHash = storedHash;
        head = { chainSeq, chainHash: storedHash };
      } else {
        if (prevHash !== '' && link.prevHash !== null && link.prevHash !== prevHash) {
          breaks.push({
            chainSeq: seq,
            syncLogId,
            kind: 'reordered',
            expectedHash: prevHash,
            actualHash: link.prevHash,
          });
        }
        prevHash = link.chainHash ?? '';
        if (link.chainHash) head = { chainSeq: seq, chainHash: link.chainHash };
      }
      expectedSeq = seq + 1;
    }
  }
  return { ok: breaks.length === 0, checked, breaks, head };
}

/**
 * Merge two seq-ordered streams (live rows and tombstones) into one seq-ordered stream of links.
 * Tombstones are few; they are loaded once and interleaved.
 */
export async function* interleaveTombstones(
  rows: AsyncIterable<SealedSyncLog[]>,
  tombstones: Extract<ChainLink, { kind: 'tombstone' }>[],
): AsyncIterable<ChainLink[]> {
  const pending = [...tombstones].sort((a, b) => a.chainSeq - b.chainSeq);
  let t = 0;
  for await (const page of rows) {
    const out: ChainLink[] = [];
    for (const row of page) {
      while (t < pending.length && (pending[t] as { chainSeq: number }).chainSeq < row.chainSeq) {
        out.push(pending[t] as ChainLink);
        t += 1;
      }
      out.push({ kind: 'row', row });
    }
    yield out;
  }
  if (t < pending.length) yield pending.slice(t);
}
