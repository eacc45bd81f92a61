import { describe, expect, it } from 'vitest';
import {
  assertAccountingModuleEnabled,
  assertErrorDetailsRetained,
  assertMutable,
  assertNoActiveSync,
  decideCompletion,
} from '../src/index.js';
import { details, domainErrorOf } from './helpers.js';

const org = '11111111-1111-4111-8111-111111111111';

describe('immutable_on_terminal_status', () => {
  it('lets active rows change', () => {
    expect(() => assertMutable({ id: 'a', status: 'in_progress' })).not.toThrow();
  });
  it('refuses any change of a terminal row with RECORD_IMMUTABLE', () => {
    for (const status of ['success', 'partial', 'failed'] as const) {
      const error = domainErrorOf(() => assertMutable({ id: 'a', status }));
      expect(error.code).toBe('RECORD_IMMUTABLE');
      expect(error.issues[0]?.rule).toBe('immutable_on_terminal_status');
    }
  });
});

describe('one_active_sync_per_organization', () => {
  it('allows a sync when none is active', () => {
    expect(() => assertNoActiveSync(org, null)).not.toThrow();
  });
  it('blocks a second active sync with SYNC_ALREADY_ACTIVE naming the active one', () => {
    const error = domainErrorOf(() => assertNoActiveSync(org, { id: 'active-1', status: 'in_progress' }));
    expect(error).toMatchObject({
      code: 'SYNC_ALREADY_ACTIVE',
      issues: [{ rule: 'one_active_sync_per_organization' }],
    });
    expect(error.message).toContain('active-1');
  });
});

describe('accounting_module_must_be_enabled', () => {
  it('allows an enabled module', () => {
    expect(() =>
      assertAccountingModuleEnabled(org, { enabled: true, config: { accountingSystem: 'xledger' } }),
    ).not.toThrow();
  });
  it('refuses a disabled or missing module with ACCOUNTING_MODULE_DISABLED', () => {
    for (const state of [null, { enabled: false, config: null }]) {
      const error = domainErrorOf(() => assertAccountingModuleEnabled(org, state));
      expect(error).toMatchObject({
        code: 'ACCOUNTING_MODULE_DISABLED',
        issues: [{ rule: 'accounting_module_must_be_enabled' }],
      });
    }
  });
});

describe('records_count_consistency', () => {
  it('is success when every record was accepted and the counts add up', () => {
    expect(
      decideCompletion({ recordsTotal: 3, recordsSynced: 3, recordsFailed: 0, errorDetails: null }),
    ).toEqual({ status: 'success', errorDetails: null });
  });
  it('is partial with rejections, keeping their details', () => {
    expect(
      decideCompletion({ recordsTotal: 3, recordsSynced: 2, recordsFailed: 1, errorDetails: details }),
    ).toEqual({ status: 'partial', errorDetails: details });
  });
  it('is partial on a mismatch, appending the warning (creating details when none came)', () => {
    const created = decideCompletion({
      recordsTotal: 5,
      recordsSynced: 3,
      recordsFailed: 0,
      errorDetails: null,
    });
    expect(created.status).toBe('partial');
    expect(created.errorDetails).toMatchObject({
      code: 'RECORDS_COUNT_MISMATCH',
      warnings: [{ rule: 'records_count_consistency' }],
    });
    const appended = decideCompletion({
      recordsTotal: 5,
      recordsSynced: 3,
      recordsFailed: 1,
      errorDetails: { ...details, warnings: [{ rule: 'x', message: 'y' }] },
    });
    expect(appended.errorDetails?.warnings?.map((w) => w.rule)).toEqual(['x', 'records_count_consistency']);
  });
});

describe('failed_sync_retains_error_details', () => {
  it('accepts failed and partial outcomes with details, and success without', () => {
    expect(() => assertErrorDetailsRetained('failed', details)).not.toThrow();
    expect(() => assertErrorDetailsRetained('success', null)).not.toThrow();
  });
  it('refuses failed or partial without details with ERROR_DETAILS_REQUIRED', () => {
    for (const status of ['failed', 'partial'] as const) {
      const error = domainErrorOf(() => assertErrorDetailsRetained(status, null));
      expect(error).toMatchObject({
        code: 'ERROR_DETAILS_REQUIRED',
        issues: [{ rule: 'failed_sync_retains_error_details', path: ['errorDetails'] }],
      });
    }
    expect(
      domainErrorOf(() =>
        decideCompletion({ recordsTotal: 2, recordsSynced: 1, recordsFailed: 1, errorDetails: null }),
      ).code,
    ).toBe('ERROR_DETAILS_REQUIRED');
  });
});
