import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createSyncLogCommandSchema,
  DomainError,
  failureCategory,
  parseCommand,
  REJECTION_CATEGORIES,
  rejectedItemSchema,
  reportProgressCommandSchema,
  syncLogPageSchema,
  syncLogSchema,
  syncLogWithRejectionsSchema,
} from '../src/index.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const LOG = {
  id: '0f8c2b7e-1c1a-4c6e-9a55-3f1e2d4c5b6a',
  organizationId: ORG,
  accountingSystem: 'dynamics',
  syncType: 'manual',
  status: 'partial',
  triggeredBy: '0a0a0a0a-0000-4000-8000-000000000002',
  periodStart: '2026-10-31T23:00:00.000Z',
  periodEnd: '2026-11-30T22:59:59.999Z',
  recordsTotal: 2,
  recordsSynced: 1,
  recordsFailed: 1,
  payloadSummary: { formatVersion: '1', recordCount: 2, totalAmountMinor: '27542040', currency: 'NOK' },
  errorDetails: {
    code: 'RECORDS_REJECTED',
    message: '1 of 2 records rejected',
    category: 'validation',
    retryable: false,
    recordFailures: [
      {
        recordId: 'r2',
        code: 'BadRequest_ClosedAccount',
        reason: 'Account 7140 is blocked',
        catalogCategory: 'master_data',
      },
    ],
  },
  externalReferenceId: null,
  startedAt: '2026-12-05T01:00:00.000Z',
  completedAt: '2026-12-05T01:00:05.000Z',
  createdAt: '2026-12-05T01:00:00.000Z',
} as const;
const REJECTION = {
  recordId: 'r2',
  vendorCode: 'BadRequest_ClosedAccount',
  vendorReason: 'Account 7140 is blocked',
  code: 'ACCOUNT_BLOCKED',
  category: 'master_data',
  message: 'The G/L account is blocked in Business Central.',
  fix: 'Unblock account 7140 or map the expense to another account, then re-sync.',
  retryable: false,
  bookingDate: '2026-11-03',
  amount: '1290.50',
  amountMinor: '129050',
  currency: 'NOK',
  account: '7140',
  description: 'Taxi',
};

describe('the domain package as other teams meet it', () => {
  it("parses the product's own show --json and list --json output (syncLogSchema alone refuses the rejections key)", () => {
    const shown = { ...LOG, rejections: [REJECTION] };
    expect(syncLogSchema.safeParse(shown).success).toBe(false);
    expect(syncLogWithRejectionsSchema.parse(shown).rejections?.[0]?.fix).toContain('Unblock');
    expect(syncLogWithRejectionsSchema.parse(LOG).rejections).toBeUndefined();
    expect(
      syncLogWithRejectionsSchema.safeParse({ ...shown, rejections: [{ ...REJECTION, amount: 1290.5 }] })
        .success,
    ).toBe(false);
    expect(syncLogPageSchema.parse({ items: [LOG], nextCursor: null }).items).toHaveLength(1);
  });

  it('parseCommand refuses a period that ends before it starts and a negative count, by rule and field', () => {
    const valid = {
      organizationId: ORG,
      accountingSystem: 'xledger',
      syncType: 'api',
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-11-30T23:59:59.999Z',
      recordsTotal: 0,
    };
    expect(parseCommand(createSyncLogCommandSchema, valid).recordsTotal).toBe(0);
    const refusal = (input: unknown, schema = createSyncLogCommandSchema as never) => {
      try {
        parseCommand(schema, input);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        return (error as DomainError).issues;
      }
      throw new Error('parseCommand accepted it');
    };
    expect(refusal({ ...valid, periodEnd: '2026-10-01T00:00:00.000Z' })).toEqual([
      expect.objectContaining({ rule: 'period_end_after_period_start', path: ['periodEnd'] }),
    ]);
    expect(refusal({ ...valid, recordsTotal: -1 })).toEqual([
      expect.objectContaining({ rule: 'records_counts_non_negative', path: ['recordsTotal'] }),
    ]);
    expect(
      refusal({ id: LOG.id, recordsSynced: -2, recordsFailed: 0 }, reportProgressCommandSchema as never),
    ).toEqual([expect.objectContaining({ rule: 'records_counts_non_negative', path: ['recordsSynced'] })]);
  });

  it('one category list for a person: a sync whose rejections are master data reads master_data, not validation', () => {
    expect(failureCategory(LOG.errorDetails)).toBe('master_data');
    expect(failureCategory({ ...LOG.errorDetails, catalogCategory: 'period_locked' })).toBe('period_locked');
    expect(failureCategory({ category: 'rate_limit' })).toBe('transient');
    expect(
      failureCategory({
        category: 'validation',
        recordFailures: [
          { recordId: 'a', code: 'x', reason: '', catalogCategory: 'master_data' },
          { recordId: 'b', code: 'y', reason: '', catalogCategory: 'mapping' },
        ],
      }),
    ).toBe('validation');
  });

  it('rejectedItemSchema parses one rejections.list item and refuses a float amount or a category off the list', () => {
    expect(rejectedItemSchema.parse(REJECTION).amountMinor).toBe('129050');
    expect(rejectedItemSchema.safeParse({ ...REJECTION, amount: 1290.5 }).success).toBe(false);
    expect(rejectedItemSchema.safeParse({ ...REJECTION, category: 'rate_limit' }).success).toBe(false);
  });

  it('REJECTION_CATEGORIES is the one list the README names, and every item category comes from it', () => {
    expect(REJECTION_CATEGORIES).toEqual([
      'mapping',
      'master_data',
      'period_locked',
      'auth',
      'transient',
      'validation',
      'duplicate',
      'configuration',
      'unclassified',
    ]);
    for (const category of REJECTION_CATEGORIES) {
      expect(rejectedItemSchema.safeParse({ ...REJECTION, category }).success).toBe(true);
    }
  });

  it("the README's account of exports and publishing matches package.json", () => {
    const root = join(import.meta.dirname, '..');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, Record<string, string>>;
      publishConfig?: { exports?: unknown };
    };
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const mentionsOverride = readme.includes('publishConfig.exports');
    expect(mentionsOverride).toBe(manifest.publishConfig?.exports !== undefined);
    const dot = manifest.exports['.'] ?? {};
    for (const [condition, target] of Object.entries(dot)) {
      expect(readme, `README names "${condition}": "${target}"`).toContain(`"${condition}": "${target}"`);
    }
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toMatch(
      /^# @meander\/domain\n\n## \d+\.\d+\.\d+/,
    );
  });
});
