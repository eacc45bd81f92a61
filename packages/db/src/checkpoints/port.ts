import type { IsoDateTime } from '@meander/domain';

/** What a checkpoint vouches for: an organization's chain head at a moment. */
export interface CheckpointHead {
  organizationId: string;
  /** The head's chain_seq (0 for an empty chain). */
  seq: number;
  /** The head's chain_hash (64 zeros for an empty chain). */
  hash: string;
  /** Links (sealed rows plus tombstones) with chain_seq ≤ seq. */
  count: number;
  at: IsoDateTime;
}

/** A chain head signed with the product's Ed25519 key (`AUDIT_SIGNING_KEY`). */
export interface SignedCheckpoint extends CheckpointHead {
  /** Base64 Ed25519 signature over {@link checkpointMessage}. */
  signature: string;
  /** The signer's public key, SPKI PEM. */
  publicKey: string;
  /** First 16 hex digits of SHA-256 over the public key's DER: names the key. */
  keyId: string;
}

/** The append-only checkpoint log and the chain facts checkpointing reads. */
export interface CheckpointStore {
  /** Append a checkpoint; false when the same (organization, seq, key) was already there. */
  append(checkpoint: SignedCheckpoint): Promise<boolean>;
  /** The newest checkpoint of an organization (highest seq, then latest `at`). */
  latest(organizationId: string): Promise<SignedCheckpoint | null>;
  /** The chain head over live rows and tombstones, or null for an empty chain. */
  head(organizationId: string): Promise<{ seq: number; hash: string } | null>;
  /** The chain_hash at `seq` (live row or tombstone), or null when neither exists. */
  hashAt(organizationId: string, seq: number): Promise<string | null>;
  /** Links (rows plus tombstones) with `afterSeq` < chain_seq ≤ `uptoSeq` (`afterSeq` defaults to 0). */
  countLinks(organizationId: string, uptoSeq: number, afterSeq?: number): Promise<number>;
  /** {@link SigningState} in one read: what the checkpointer needs to sign the head after a seal. */
  signingState(organizationId: string): Promise<SigningState>;
  /** Organizations that have a sealed link (for checkpointing on start). */
  organizationsWithChains(): Promise<string[]>;
}

/** One snapshot of what signing an organization's head depends on. */
export interface SigningState {
  /** The newest checkpoint (as {@link CheckpointStore.latest}). */
  latest: SignedCheckpoint | null;
  /** The chain head (as {@link CheckpointStore.head}). */
  head: { seq: number; hash: string } | null;
  /** The chain_hash at `latest.seq` now, or null (no checkpoint, or the link is gone). */
  hashThen: string | null;
  /** Links with `latest.seq` (0 without a checkpoint) < chain_seq ≤ `head.seq`. */
  linksAfter: number;
}
