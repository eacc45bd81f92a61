import { createHash } from 'node:crypto';
import { CHAIN_FIELDS_V1, CURRENT_CHAIN_RECIPE, canonicalSyncLogJson, type SyncLog } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH } from '../src/store/hash-chain.js';

/**
 * Golden vector of chain recipe 1 (packages/db/README.md, "The hash chain, for auditors"). If this
 * test fails, rows sealed in production no longer verify: do not update the vector — add a recipe.
 */
const ROW: SyncLog = {
  id: '6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a',
  organizationId: '11111111-1111-4111-8111-111111111111',
  accountingSystem: 'xledger',
  syncType: 'manual',
  status: 'partial',
  triggeredBy: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f',
  periodStart: '2026-10-01T00:00:00.000Z',
  periodEnd: '2026-10-31T23:59:59.999Z',
  recordsTotal: 3,
  recordsSynced: 2,
  recordsFailed: 1,
  payloadSummary: { formatVersion: '1', recordCount: 3, totalAmountMinor: '129990', currency: 'NOK' },
  errorDetails: {
    code: 'RECORDS_REJECTED',
    message: '1 of 3 rejected',
    category: 'validation',
    retryable: false,
  },
  externalReferenceId: 'JE-2026-0001',
  startedAt: '2026-11-01T02:00:05.000Z',
  completedAt: '2026-11-01T02:01:00.000Z',
  createdAt: '2026-11-01T02:00:00.000Z',
};

const CANONICAL_V1 =
  '{"accountingSystem":"xledger","completedAt":"2026-11-01T02:01:00.000Z","createdAt":"2026-11-01T02:00:00.000Z",' +
  '"errorDetails":{"category":"validation","code":"RECORDS_REJECTED","message":"1 of 3 rejected","retryable":false},' +
  '"externalReferenceId":"JE-2026-0001","id":"6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a",' +
  '"organizationId":"11111111-1111-4111-8111-111111111111",' +
  '"payloadSummary":{"currency":"NOK","formatVersion":"1","recordCount":3,"totalAmountMinor":"129990"},' +
  '"periodEnd":"2026-10-31T23:59:59.999Z","periodStart":"2026-10-01T00:00:00.000Z","recordsFailed":1,' +
  '"recordsSynced":2,"recordsTotal":3,"startedAt":"2026-11-01T02:00:05.000Z","status":"partial","syncType":"manual",' +
  '"triggeredBy":"0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f"}';
const HASH_V1 = '6a70c94fde81cf418ab14fb95b6351dd1b7af57775bc5e21119a77bc91952956';

describe('chain recipe 1, pinned by a golden vector', () => {
  it('is the current recipe and hashes the 17 spec fields', () => {
    expect(CURRENT_CHAIN_RECIPE).toBe(1);
    expect(CHAIN_FIELDS_V1).toHaveLength(17);
  });

  it('writes the documented canonical JSON', () => {
    expect(canonicalSyncLogJson(ROW, 1)).toBe(CANONICAL_V1);
  });

  it('gives the pinned hash, which any SHA-256 reproduces from the documented input', () => {
    const independent = createHash('sha256').update(`${GENESIS_HASH}\n${CANONICAL_V1}`, 'utf8').digest('hex');
    expect(independent).toBe(HASH_V1);
    expect(chainHash(GENESIS_HASH, ROW, 1)).toBe(HASH_V1);
  });

  it('ignores fields outside the recipe, so extra columns never alter a seal', () => {
    const withExtra = { ...ROW, chainRecipe: 1, heartbeatAt: '2026-11-01T02:00:30.000Z' } as SyncLog;
    expect(chainHash(GENESIS_HASH, withExtra, 1)).toBe(chainHash(GENESIS_HASH, ROW, 1));
  });
});
