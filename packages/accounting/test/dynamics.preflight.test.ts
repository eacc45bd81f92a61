import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_DYNAMICS_BALANCING_ACCOUNT,
  type RunningEmulators,
  startEmulators,
} from '../src/emulators/index.js';
import { DynamicsAdapter, documentNumberFor } from '../src/index.js';
import { failure, fastOptions, makeRecords } from './support/fixtures.js';

// Pre-flight and connection report: read-only calls only (accounts, accountingPeriods,
// companyInformation, journals — MS Learn API v2.0 resources), checked by counting the emulator's writes.

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (extra: Record<string, string> = {}) =>
  new DynamicsAdapter({ ...emulators.connections.dynamics, ...extra }, fastOptions());
const context = { organizationId: '22222222-2222-4222-8222-222222222222' };

describe('DynamicsAdapter.preflight', () => {
  it('plans one balanced document per record with its deterministic document number, writing nothing', async () => {
    const records = makeRecords(3);
    const result = await adapter().preflight(records, context);
    expect(result.rejected).toEqual([]);
    expect(result.documents).toEqual(
      records.map((r, i) => ({
        documentNumber: documentNumberFor(r.id),
        postingDate: '2024-05-15',
        recordIds: [r.id],
        lines: [
          { account: '6800', amount: `100.0${i + 1}`, currency: 'NOK', recordId: r.id },
          { account: DEMO_DYNAMICS_BALANCING_ACCOUNT, amount: `-100.0${i + 1}`, currency: 'NOK' },
        ],
      })),
    );
    expect(emulators.stats('dynamics').writes).toBe(0);
    expect(emulators.ledger('dynamics')).toEqual([]);
  });

  it('predicts the refusals: unknown and blocked accounts, foreign currency, closed period, allowed range', async () => {
    emulators.setFaults('dynamics', { closedPeriodsBefore: '2024-01-01' });
    const records = makeRecords(6);
    records[0] = { ...records[0], account: '4711' } as (typeof records)[0];
    records[1] = { ...records[1], account: '9998' } as (typeof records)[0];
    records[2] = { ...records[2], currency: 'EUR' } as (typeof records)[0];
    records[3] = { ...records[3], bookingDate: '2023-12-31' } as (typeof records)[0];
    records[4] = { ...records[4], bookingDate: '2024-07-01' } as (typeof records)[0];
    const result = await adapter({ allowPostingTo: '2024-06-30' }).preflight(records, context);
    expect(result.rejected.map((r) => [r.recordId, r.code])).toEqual([
      ['rec-0003', 'PREFLIGHT_FOREIGN_CURRENCY'],
      ['rec-0001', 'PREFLIGHT_UNKNOWN_ACCOUNT'],
      ['rec-0002', 'PREFLIGHT_UNKNOWN_ACCOUNT'],
      ['rec-0004', 'PREFLIGHT_PERIOD_LOCKED'],
      ['rec-0005', 'PREFLIGHT_PERIOD_LOCKED'],
    ]);
    const reasons = Object.fromEntries(result.rejected.map((r) => [r.recordId, r.reason]));
    expect(reasons['rec-0001']).toMatch(/4711 is not in the chart of accounts/);
    expect(reasons['rec-0002']).toMatch(/9998 is blocked/);
    expect(reasons['rec-0004']).toMatch(/closed accounting period December starting 2023-12-01/);
    expect(reasons['rec-0005']).toMatch(/allowed posting range/);
    expect(result.documents.map((d) => d.recordIds[0])).toEqual(['rec-0006']);
    expect(emulators.stats('dynamics').writes).toBe(0);
  });

  it('refuses to plan without a balancing account, naming the setting', async () => {
    const { balancingAccountNumber: _omitted, ...connection } = emulators.connections.dynamics;
    const error = await failure(
      new DynamicsAdapter(connection, fastOptions()).preflight(makeRecords(1), context),
    );
    expect(error.details.category).toBe('configuration');
    expect(error.message).toMatch(/balancingAccountNumber/);
  });
});

describe('DynamicsAdapter.inspectConnection', () => {
  it('passes every check against the demo company, read-only', async () => {
    const report = await adapter().inspectConnection();
    expect(report).toEqual({
      ok: true,
      checks: [
        { name: 'credentials', ok: true, message: expect.stringMatching(/demo-client/) },
        { name: 'company', ok: true, message: expect.stringMatching(/CRONUS Fjordvik/) },
        { name: 'journal', ok: true, message: expect.stringMatching(/MEANDER exists/) },
        {
          name: 'balancing_account',
          ok: true,
          message: expect.stringMatching(/2990 \(Expense claims payable\)/),
        },
        { name: 'local_currency', ok: true, message: 'Local currency NOK (from setting localCurrency)' },
        // What API v2.0 does not show (issue 22), each with how the product copes.
        { name: 'batch_no_series', ok: true, message: expect.stringMatching(/NO_SERIES_MANUAL_NOT_ALLOWED/) },
        {
          name: 'batch_posting_no_series',
          ok: true,
          message: expect.stringMatching(/key at the start of each G\/L entry's description/),
        },
        { name: 'post_with_job_queue', ok: true, message: expect.stringMatching(/waits up to 60 s/) },
        { name: 'allowed_posting_dates', ok: true, message: expect.stringMatching(/allowPostingFrom/) },
        { name: 'copy_vat_setup', ok: true, message: expect.stringMatching(/Copy VAT Setup to Jnl\. Lines/) },
      ],
    });
    expect(emulators.stats('dynamics').writes).toBe(0);
  });

  it('a journal batch not yet created passes (the first export creates it); the currency comes from companyInformation', async () => {
    const { localCurrency: _omitted, ...connection } = emulators.connections.dynamics;
    const report = await new DynamicsAdapter(
      { ...connection, journalName: 'NEWONE' },
      fastOptions(),
    ).inspectConnection();
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'journal')?.message).toMatch(/does not exist yet/);
    expect(report.checks.find((c) => c.name === 'local_currency')?.message).toBe(
      'Local currency NOK (from companyInformation)',
    );
    expect(emulators.stats('dynamics').writes).toBe(0);
  });

  it('names what is missing: the balancing account setting, a blocked account, refused credentials', async () => {
    const { balancingAccountNumber: _omitted, ...connection } = emulators.connections.dynamics;
    let report = await new DynamicsAdapter(connection, fastOptions()).inspectConnection();
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      { name: 'balancing_account', ok: false, message: expect.stringMatching(/set balancingAccountNumber/) },
    ]);
    report = await adapter({ balancingAccountNumber: '9998' }).inspectConnection();
    expect(report.checks.find((c) => c.name === 'balancing_account')?.message).toMatch(/9998.*is blocked/);
    report = await adapter({ clientSecret: 'nope' }).inspectConnection();
    expect(report.checks.slice(0, 5).map((c) => c.ok)).toEqual([false, false, false, false, false]);
    expect(report.checks.slice(1, 5).every((c) => /not checked/.test(c.message))).toBe(true);
    // The settings API v2.0 does not show are reported whatever the credentials.
    expect(report.checks.slice(5).map((c) => c.name)).toEqual([
      'batch_no_series',
      'batch_posting_no_series',
      'post_with_job_queue',
      'allowed_posting_dates',
      'copy_vat_setup',
    ]);
  });
});
