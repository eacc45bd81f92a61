import { createPublicKey, verify } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalJson } from '@meander/domain';
import { CliError, UsageError } from './exit-codes.js';

/** A signed checkpoint as `audit.checkpoint` returns it and evidence manifests carry it. */
export interface CheckpointFile {
  organizationId: string;
  seq: number;
  hash: string;
  count: number;
  at: string;
  signature: string;
  publicKey: string;
  keyId?: string;
}

function isCheckpoint(value: unknown): value is CheckpointFile {
  const v = value as Record<string, unknown> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.organizationId === 'string' &&
    typeof v.seq === 'number' &&
    typeof v.hash === 'string' &&
    typeof v.count === 'number' &&
    typeof v.at === 'string' &&
    typeof v.signature === 'string' &&
    typeof v.publicKey === 'string'
  );
}

/**
 * Read the checkpoint an auditor was handed: a checkpoint JSON (`audit.checkpoint --json`) or an
 * evidence manifest (`<out>.manifest.json`, which carries one).
 */
export async function readCheckpointFile(path: string): Promise<CheckpointFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--checkpoint ${path} cannot be read (${(error as { code?: string }).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--checkpoint ${path} is not JSON`);
  }
  const candidate = isCheckpoint(parsed) ? parsed : (parsed as { checkpoint?: unknown } | null)?.checkpoint;
  if (!isCheckpoint(candidate)) {
    throw new UsageError(
      `--checkpoint ${path} holds no signed checkpoint (expected audit.checkpoint output or an evidence manifest)`,
    );
  }
  return candidate;
}

/**
 * Check the signature here, with node:crypto, before asking the API anything: the auditor's trust
 * in a checkpoint must not depend on the system being audited.
 */
export function assertCheckpointSignature(checkpoint: CheckpointFile): void {
  const { organizationId, seq, hash, count, at } = checkpoint;
  const message = Buffer.from(
    `meander-checkpoint/v1\n${canonicalJson({ at, count, hash, organizationId, seq })}`,
    'utf8',
  );
  let valid = false;
  try {
    valid = verify(
      null,
      message,
      createPublicKey(checkpoint.publicKey),
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new CliError(
      'The checkpoint signature does not verify: the file was altered or not signed by its key',
      1,
      {
        domainCode: 'CHECKPOINT_SIGNATURE_INVALID',
      },
    );
  }
}
