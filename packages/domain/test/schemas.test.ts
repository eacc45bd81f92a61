import { describe, expect, it } from 'vitest';
import {
  CHAIN_FIELDS_V1,
  CHAIN_RECIPES,
  CURRENT_CHAIN_RECIPE,
  canonicalJson,
  canonicalSyncLogJson,
  createSyncLogCommandSchema,
  DomainError,
  errorDetailsSchema,
  isChainRecipeVersion,
  listSyncLogsQuerySchema,
  PayloadSummaryBuilder,
  parseCommand,
  payloadSummarySchema,
  reportProgressCommandSchema,
  SYNC_LOG_FIELDS,
} from '../src/index.js';
import { pendingLog } from './helpers.js';

describe('payload summaries never carry personal data', () => {
  it('accepts ids, counts, a decimal-string total and its currency', () => {
    const summary = {
      formatVersion: '1',
      recordIds: ['a1', 'b-2'],
      recordCount: 2,
      totalAmountMinor: '129990',
      currency: 'NOK',
    };
    expect(payloadSummarySchema.parse(summary)).toEqual(summary);
  });
  it('rejects unknown keys, float totals, free-text ids and a total without currency', () => {
    for (const bad of [
      { formatVersion: '1', email: 'kari@example.no' },
      { formatVersion: '1', totalAmountMinor: 1299.9, currency: 'NOK' },
      { formatVersion: '1', totalAmountMinor: '12.5', currency: 'NOK' },
      { formatVersion: '1', recordIds: ['Kari Nordmann'] },
      { formatVersion: '1', totalAmountMinor: '100' },
      { formatVersion: '1', currency: 'nok' },
    ]) {
      expect(payloadSummarySchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe('error details', () => {
  it('require a normalized category and bound their sizes', () => {
    expect(
      errorDetailsSchema.safeParse({ code: 'X', message: 'm', category: 'auth', retryable: false }).success,
    ).toBe(true);
    expect(
      errorDetailsSchema.safeParse({ code: 'X', message: 'm', category: 'oops', retryable: false }).success,
    ).toBe(false);
    expect(
      errorDetailsSchema.safeParse({
        code: 'X',
        message: 'm'.repeat(4_001),
        category: 'auth',
        retryable: false,
      }).success,
    ).toBe(false);
  });
});

describe('commands', () => {
  it('parse into canonical UTC datetimes', () => {
    const command = parseCommand(createSyncLogCommandSchema, {
      organizationId: '11111111-1111-4111-8111-111111111111',
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2026-10-01T02:00:00+02:00',
      periodEnd: '2026-10-31T23:59:59.999Z',
      recordsTotal: 3,
    });
    expect(command.periodStart).toBe('2026-10-01T00:00:00.000Z');
  });
  it('refuse bad input with VALIDATION_FAILED and field paths', () => {
    try {
      parseCommand(createSyncLogCommandSchema, { organizationId: 'nope', accountingSystem: 'sap' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('VALIDATION_FAILED');
      expect((error as DomainError).issues.map((i) => i.path[0])).toEqual(
        expect.arrayContaining(['organizationId', 'accountingSystem']),
      );
    }
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and is stable', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    const json = canonicalSyncLogJson(pendingLog);
    expect(json).toBe(canonicalSyncLogJson({ ...pendingLog }));
    expect(Object.keys(JSON.parse(json))).toHaveLength(17);
  });
});

describe('PayloadSummaryBuilder', () => {
  it('totals in bigint, bounds the id list and drops a total across currencies', () => {
    const b = new PayloadSummaryBuilder('6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a');
    b.add([
      { id: 'a', amountMinor: Number.MAX_SAFE_INTEGER, currency: 'NOK' },
      { id: 'b', amountMinor: 1, currency: 'NOK' },
    ]);
    expect(b.build()).toEqual({
      formatVersion: '1',
      recordIds: ['a', 'b'],
      recordCount: 2,
      totalAmountMinor: '9007199254740992',
      currency: 'NOK',
      parentSyncId: '6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a',
    });
    b.add([{ id: 'c', amountMinor: 5, currency: 'EUR' }]);
    expect(b.build()).not.toHaveProperty('totalAmountMinor');
    const many = new PayloadSummaryBuilder();
    many.add(Array.from({ length: 10_005 }, (_, i) => ({ id: `r${i}`, amountMinor: 1, currency: 'NOK' })));
    expect(many.build()).toMatchObject({ recordCount: 10_005, recordIdsTruncated: true });
    expect(many.build().recordIds).toHaveLength(10_000);
    expect(payloadSummarySchema.safeParse(many.build()).success).toBe(true);
  });
});

describe('ids are canonical lower-case UUIDs', () => {
  it('lower-cases every id of a command on input', () => {
    const upper = '0B9E8F8E-7C1E-4B5A-9D3F-1A2B3C4D5E6F';
    const parsed = createSyncLogCommandSchema.parse({
      organizationId: upper,
      accountingSystem: 'xledger',
      syncType: 'manual',
      triggeredBy: upper,
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-10-31T00:00:00.000Z',
      recordsTotal: 1,
    });
    expect(parsed.organizationId).toBe(upper.toLowerCase());
    expect(parsed.triggeredBy).toBe(upper.toLowerCase());
    expect(reportProgressCommandSchema.parse({ id: upper, recordsSynced: 0, recordsFailed: 0 }).id).toBe(
      upper.toLowerCase(),
    );
    expect(listSyncLogsQuerySchema.parse({ organizationId: upper }).organizationId).toBe(upper.toLowerCase());
  });
});

describe('the chain recipe is versioned', () => {
  it('hashes exactly the entity fields under the current recipe', () => {
    // A new SyncLog field fails this test on purpose: add CHAIN_FIELDS_V2 and a recipe, never edit V1.
    expect([...CHAIN_RECIPES[CURRENT_CHAIN_RECIPE]]).toEqual([...SYNC_LOG_FIELDS]);
    expect(Object.isFrozen(CHAIN_FIELDS_V1)).toBe(true);
    expect(isChainRecipeVersion(1)).toBe(true);
    expect(isChainRecipeVersion(2)).toBe(false);
  });
});
