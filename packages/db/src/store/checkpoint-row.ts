import type { SignedCheckpoint } from '../checkpoints/port.js';
import { toIso } from './sync-log-row.js';

/** An audit_checkpoints row as either driver returns it. */
export interface CheckpointRow {
  organization_id: string;
  seq: number;
  hash: string;
  count: number;
  at: string | Date;
  signature: string;
  public_key: string;
  key_id: string;
}

export function checkpointFromRow(row: CheckpointRow): SignedCheckpoint {
  return {
    organizationId: row.organization_id,
    seq: Number(row.seq),
    hash: row.hash,
    count: Number(row.count),
    at: toIso(row.at),
    signature: row.signature,
    publicKey: row.public_key,
    keyId: row.key_id,
  };
}
