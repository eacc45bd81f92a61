import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '@meander/domain';
import type { CheckpointHead, SignedCheckpoint } from './port.js';

/** Domain separation: a checkpoint signature can never be replayed as a signature over anything else. */
const MESSAGE_PREFIX = 'meander-checkpoint/v1\n';

/**
 * The exact bytes signed: `meander-checkpoint/v1\n` + canonical JSON (sorted keys, no whitespace)
 * of `{ at, count, hash, organizationId, seq }`. Documented for auditors in the README.
 */
function checkpointMessage(head: CheckpointHead): Buffer {
  const { organizationId, seq, hash, count, at } = head;
  return Buffer.from(`${MESSAGE_PREFIX}${canonicalJson({ at, count, hash, organizationId, seq })}`, 'utf8');
}

/** Domain separation for deletion signatures (never valid as a checkpoint signature, nor the reverse). */
const DELETION_PREFIX = 'meander-deletion/v1\n';

/** What a deletion's signature covers: who deleted which link of which chain, when, why. */
export interface DeletionFacts {
  syncLogId: string;
  organizationId: string;
  chainSeq: number | null;
  chainHash: string | null;
  deletedBy: string;
  deletedVia: string;
  deletedAt: string;
  reason: string;
  legalBasis: string;
}

/** A deletion's signature and the id of the key that made it. */
export interface DeletionSeal {
  signature: string;
  keyId: string;
}

/** The exact bytes signed for a deletion: `meander-deletion/v1\n` + canonical JSON of {@link DeletionFacts}. */
function deletionMessage(facts: DeletionFacts): Buffer {
  const {
    syncLogId,
    organizationId,
    chainSeq,
    chainHash,
    deletedBy,
    deletedVia,
    deletedAt,
    reason,
    legalBasis,
  } = facts;
  return Buffer.from(
    `${DELETION_PREFIX}${canonicalJson({ chainHash, chainSeq, deletedAt, deletedBy, deletedVia, legalBasis, organizationId, reason, syncLogId })}`,
    'utf8',
  );
}

/** Whether `signature` is a valid Ed25519 signature over `facts` by `publicKeyPem`. */
export function deletionSignatureValid(
  facts: DeletionFacts,
  signature: string,
  publicKeyPem: string,
): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, deletionMessage(facts), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The key id of a public key: first 16 hex digits of SHA-256 over its SPKI DER. */
function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** Whether `checkpoint.signature` is a valid Ed25519 signature by `publicKeyPem` (default: its own key). */
export function checkpointSignatureValid(
  checkpoint: SignedCheckpoint,
  publicKeyPem: string = checkpoint.publicKey,
): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, checkpointMessage(checkpoint), key, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}

/** A fresh Ed25519 private key as PKCS#8 PEM (what `pnpm start` writes to ./data). */
export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Signs chain heads. Holds the private key in this process only: the database sees the signature and
 * the public key, never the key that made them.
 */
export class CheckpointSigner {
  readonly publicKeyPem: string;
  readonly keyId: string;

  private constructor(private readonly privateKey: KeyObject) {
    const publicKey = createPublicKey(privateKey);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = keyIdOf(publicKey);
  }

  /**
   * From `AUDIT_SIGNING_KEY`: a PEM private key, or a path to a file holding one. The error names
   * what is wrong, never the key material.
   */
  static fromSetting(setting: string): CheckpointSigner {
    const pem = setting.includes('-----BEGIN') ? setting : readKeyFile(setting);
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch {
      throw new Error('AUDIT_SIGNING_KEY is not a readable PEM private key');
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 key (got ${key.asymmetricKeyType ?? 'unknown'})`);
    }
    return new CheckpointSigner(key);
  }

  /** A throwaway key (tests; an app built without a configured key). */
  static generate(): CheckpointSigner {
    return new CheckpointSigner(createPrivateKey(generateSigningKeyPem()));
  }

  /** Sign a deletion (synchronous: it runs inside the deleting transaction, SQLite's included). */
  signDeletion(facts: DeletionFacts): DeletionSeal {
    return {
      signature: sign(null, deletionMessage(facts), this.privateKey).toString('base64'),
      keyId: this.keyId,
    };
  }

  sign(head: CheckpointHead): SignedCheckpoint {
    const signature = sign(null, checkpointMessage(head), this.privateKey).toString('base64');
    return {
      organizationId: head.organizationId,
      seq: head.seq,
      hash: head.hash,
      count: head.count,
      at: head.at,
      signature,
      publicKey: this.publicKeyPem,
      keyId: this.keyId,
    };
  }
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `AUDIT_SIGNING_KEY names a file that cannot be read (${(error as { code?: string }).code ?? 'error'}): ${path}`,
    );
  }
}
