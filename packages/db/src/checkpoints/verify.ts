import { GENESIS_HASH } from '../store/hash-chain.js';
import type { ChainBreak, Database, SyncLogDeletion } from '../store/port.js';
import type { SignedCheckpoint } from './port.js';
import { checkpointSignatureValid, deletionSignatureValid } from './signing.js';

/** Why a chain does not match the checkpoint it was checked against (beyond the chain's own breaks). */
type CheckpointBreakKind =
  | 'organization_not_found'
  | 'checkpoint_missing'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_untrusted'
  | 'checkpoint_other_organization'
  | 'deletion_unsigned'
  | 'deletion_signature_invalid'
  | 'checkpoint_log_emptied'
  | 'checkpoint_log_shortened'
  | 'truncated'
  | 'checkpoint_mismatch'
  | 'count_mismatch';

/** One problem found by {@link verifyAgainstCheckpoint}, always with a sentence saying what is wrong. */
interface AuditBreak {
  chainSeq: number;
  syncLogId: string | null;
  kind: ChainBreak['kind'] | CheckpointBreakKind;
  message: string;
  expectedHash?: string;
  actualHash?: string;
}

/** The answer of `audit.verify`. */
export interface AuditVerification {
  ok: boolean;
  /** Links walked (sealed rows plus tombstones). */
  checked: number;
  breaks: AuditBreak[];
  head: { chainSeq: number; chainHash: string } | null;
  /** The checkpoint the chain was checked against, and where it came from. */
  checkpoint: SignedCheckpoint | null;
  checkpointSource: 'given' | 'stored' | null;
  /** Links sealed after the checkpoint (normally 0, or a seal signed a moment later). */
  unsignedLinks: number;
  warnings: string[];
}

const CHAIN_MESSAGES: Record<ChainBreak['kind'], (b: ChainBreak) => string> = {
  missing: (b) => `link #${b.chainSeq} is missing: neither a sealed row nor a deletion tombstone`,
  altered: (b) =>
    `row #${b.chainSeq} (${b.syncLogId}) was altered: its content no longer hashes to its chain_hash`,
  reordered: (b) => `row #${b.chainSeq} (${b.syncLogId}) does not link to the link before it`,
};

/**
 * Walk an organization's chain and check it against a signed checkpoint: the one the caller was
 * handed (`given`, e.g. from an evidence manifest) or the newest in the checkpoint log. Catches
 * what the chain alone cannot: truncation, a shortened chain, a chain recomputed after a rewrite,
 * and an organization that does not exist. `trustedPublicKey` is the product's own key: a stored
 * checkpoint signed by any other key was not written by this product.
 */
export async function verifyAgainstCheckpoint(
  db: Pick<Database, 'syncLogs' | 'organizations' | 'checkpoints'>,
  organizationId: string,
  options: { given?: SignedCheckpoint; trustedPublicKey: string },
): Promise<AuditVerification> {
  const warnings: string[] = [];
  const breaks: AuditBreak[] = [];
  const problem = (kind: CheckpointBreakKind, chainSeq: number, message: string, extra = {}) =>
    breaks.push({ chainSeq, syncLogId: null, kind, message, ...extra });

  const organization = await db.organizations.get(organizationId);
  if (!organization) problem('organization_not_found', 0, `organization ${organizationId} does not exist`);
  // The checkpoint before the walk: a seal signed while we walk must not look like truncation.
  const checkpoint = options.given ?? (await db.checkpoints.latest(organizationId));
  const chain = await db.syncLogs.verifyChain(organizationId);
  for (const b of chain.breaks) breaks.push({ ...b, message: CHAIN_MESSAGES[b.kind](b) });
  // A tombstone stands in for a link, so the chain walk accepts it: only the product's signature
  // tells a deletion made through syncLogs.delete from one the database owner wrote.
  for (const deletion of await db.syncLogs.listDeletions(organizationId)) {
    const problem = deletionProblem(deletion, options.trustedPublicKey);
    if (problem) breaks.push({ chainSeq: deletion.chainSeq ?? 0, syncLogId: deletion.syncLogId, ...problem });
  }

  // An outside checkpoint must not hide what happened to the log itself: the log keeps every
  // checkpoint the product signed, so it can never be behind one signed by the product's own key.
  if (options.given) await checkStoredLog(db, organizationId, options.given, problem);
  const source = options.given ? 'given' : checkpoint ? 'stored' : null;
  let unsignedLinks = chain.checked;
  if (!checkpoint) {
    if (chain.checked > 0) {
      problem(
        'checkpoint_missing',
        chain.head?.chainSeq ?? 0,
        `no signed checkpoint covers the ${chain.checked} sealed links of this chain (the checkpoint log was emptied, or the chain was written without the product)`,
      );
    }
  } else {
    if (checkpoint.organizationId !== organizationId) {
      problem(
        'checkpoint_other_organization',
        checkpoint.seq,
        `the checkpoint is for organization ${checkpoint.organizationId}, not ${organizationId}`,
      );
    }
    const authentic = checkpointSignatureValid(checkpoint);
    if (!authentic) {
      problem(
        'checkpoint_signature_invalid',
        checkpoint.seq,
        'the checkpoint signature does not verify: it was altered or not made by its key',
      );
    } else if (!sameKey(checkpoint.publicKey, options.trustedPublicKey)) {
      if (source === 'stored') {
        problem(
          'checkpoint_untrusted',
          checkpoint.seq,
          `the newest stored checkpoint was signed by key ${checkpoint.keyId}, which is not this product's signing key`,
        );
      } else {
        warnings.push(
          `the given checkpoint was signed by key ${checkpoint.keyId}, not by the product's current key: compare it with the key you trust`,
        );
      }
    }
    const headSeq = chain.head?.chainSeq ?? 0;
    // An unauthentic checkpoint says nothing about the chain: compare only against signed facts.
    if (!authentic) {
      unsignedLinks = chain.checked;
    } else if (headSeq < checkpoint.seq) {
      problem(
        'truncated',
        checkpoint.seq,
        `the chain ends at #${headSeq} but the checkpoint signed at ${checkpoint.at} covers #${checkpoint.seq} (${checkpoint.count} links): sealed records were removed`,
      );
    } else {
      const hashThen =
        checkpoint.seq === 0 ? GENESIS_HASH : await db.checkpoints.hashAt(organizationId, checkpoint.seq);
      if (hashThen !== checkpoint.hash) {
        problem(
          'checkpoint_mismatch',
          checkpoint.seq,
          `link #${checkpoint.seq} has a different hash than the checkpoint signed at ${checkpoint.at}: the chain was rewritten and recomputed`,
          { expectedHash: checkpoint.hash, actualHash: hashThen ?? undefined },
        );
      }
      const count =
        checkpoint.seq === 0 ? 0 : await db.checkpoints.countLinks(organizationId, checkpoint.seq);
      if (count !== checkpoint.count) {
        problem(
          'count_mismatch',
          checkpoint.seq,
          `the checkpoint counts ${checkpoint.count} links up to #${checkpoint.seq}, the chain has ${count}`,
        );
      }
      unsignedLinks = Math.max(0, chain.checked - count);
    }
  }
  return {
    ok: breaks.length === 0,
    checked: chain.checked,
    breaks,
    head: chain.head,
    checkpoint,
    checkpointSource: source,
    unsignedLinks,
    warnings,
  };
}

function deletionProblem(
  deletion: SyncLogDeletion,
  trustedPublicKey: string,
): { kind: CheckpointBreakKind; message: string } | null {
  const what = `the deletion of ${deletion.syncLogId} (link #${deletion.chainSeq ?? '–'}, credited to ${deletion.deletedVia} at ${deletion.deletedAt})`;
  if (deletion.signature === null) {
    return {
      kind: 'deletion_unsigned',
      message: `${what} carries no signature: it was not made through syncLogs.delete (a deletion record written into the database directly)`,
    };
  }
  if (!deletionSignatureValid(deletion, deletion.signature, trustedPublicKey)) {
    return {
      kind: 'deletion_signature_invalid',
      message: `${what} has a signature that does not verify with the product's signing key (key ${deletion.keyId}): it was altered or forged`,
    };
  }
  return null;
}

async function checkStoredLog(
  db: Pick<Database, 'checkpoints'>,
  organizationId: string,
  given: SignedCheckpoint,
  problem: (kind: CheckpointBreakKind, chainSeq: number, message: string) => void,
): Promise<void> {
  // Any authentic checkpoint of this organization counts, not only one under the current key: a
  // manifest kept from before a key rotation must not hide an emptied log (a foreign key is warned of).
  const authentic = given.organizationId === organizationId && checkpointSignatureValid(given);
  if (!authentic || given.seq === 0) return;
  const stored = await db.checkpoints.latest(organizationId);
  if (!stored) {
    problem(
      'checkpoint_log_emptied',
      given.seq,
      `the checkpoint log holds no checkpoint for this organization, but the given one signed at ${given.at} covers #${given.seq}: the log was emptied`,
    );
  } else if (stored.seq < given.seq) {
    problem(
      'checkpoint_log_shortened',
      given.seq,
      `the checkpoint log ends at #${stored.seq}, but the given checkpoint signed at ${given.at} covers #${given.seq}: checkpoints were removed from the log`,
    );
  }
}

function sameKey(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}
