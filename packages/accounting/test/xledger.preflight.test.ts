import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, PREFLIGHT_CODES, XledgerAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

function adapter(settings: Record<string, string> = {}) {
  const built = createAdapter('xledger', { ...emulators.connections.xledger, ...settings }, fastOptions());
  return built;
}
const ctx = { organizationId: '11111111-1111-4111-8111-111111111111' };

/** Sum of 2-decimal strings in minor units, exactly (digits moved, never through a float). */
const sumMinor = (amounts: string[]) => amounts.reduce((s, a) => s + BigInt(a.replace('.', '')), 0n);

describe('XledgerAdapter.preflight — reads only', () => {
  it('plans one balanced voucher per record (expense + contra, decimal strings) keyed by the record id', async () => {
    const records = makeRecords(3);
    const { documents, rejected } = await adapter().preflight(records, ctx);
    expect(rejected).toEqual([]);
    expect(documents.map((d) => d.documentNumber)).toEqual(records.map((r) => r.id));
    expect(documents[0]).toEqual({
      documentNumber: 'rec-0001',
      postingDate: '2024-05-15',
      recordIds: ['rec-0001'],
      lines: [
        { account: '6800', amount: '100.01', currency: 'NOK', recordId: 'rec-0001' },
        { account: '2910', amount: '-100.01', currency: 'NOK' },
      ],
    });
    for (const d of documents) expect(sumMinor(d.lines.map((l) => l.amount))).toBe(0n);
    expect(emulators.stats('xledger').writes).toBe(0);
    expect(emulators.ledger('xledger')).toHaveLength(0);
  });

  it('predicts unknown accounts and unmapped currencies; a currency listed in acceptedCurrencies is planned', async () => {
    const [ok, unknown, euro, sek] = makeRecords(4);
    const records = [
      ok,
      { ...unknown, account: '9999' },
      { ...euro, currency: 'EUR' },
      { ...sek, currency: 'SEK' },
    ] as ReturnType<typeof makeRecords>;
    const { documents, rejected } = await adapter({ acceptedCurrencies: 'sek' }).preflight(records, ctx);
    expect(documents.map((d) => d.documentNumber)).toEqual(['rec-0001', 'rec-0004']);
    expect(rejected.map((r) => [r.recordId, r.code])).toEqual([
      ['rec-0003', PREFLIGHT_CODES.foreignCurrency],
      ['rec-0002', PREFLIGHT_CODES.unknownAccount],
    ]);
    expect(rejected[0]?.reason).toMatch(/EUR.*NOK.*acceptedCurrencies/);
    expect(rejected[1]?.reason).toMatch(/Account 9999 is not in the chart of accounts/);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('rejects every record, naming the setting, when the contra account is not in the chart', async () => {
    const { documents, rejected } = await adapter({ contraAccount: '2999' }).preflight(makeRecords(2), ctx);
    expect(documents).toEqual([]);
    expect(rejected.every((r) => r.code === PREFLIGHT_CODES.unknownAccount)).toBe(true);
    expect(rejected[0]?.reason).toMatch(/Contra account 2999 \(connection setting contraAccount\)/);
  });
});

describe('XledgerAdapter.pushBatch — currency', () => {
  it('refuses a foreign-currency record per record and never sends it', async () => {
    const [nok, eur] = makeRecords(2);
    const result = await adapter().pushBatch(
      [nok, { ...eur, currency: 'EUR' }] as ReturnType<typeof makeRecords>,
      batchContext(),
    );
    expect(result.accepted.map((a) => a.recordId)).toEqual(['rec-0001']);
    expect(result.rejected).toEqual([
      expect.objectContaining({ recordId: 'rec-0002', code: 'PREFLIGHT_FOREIGN_CURRENCY', retryable: false }),
    ]);
    expect(emulators.ledger('xledger').map((i) => i.extIdentifier)).toEqual(['rec-0001', 'rec-0001:contra']);
  });
});

describe('XledgerAdapter.inspectConnection — read-only checks that name what is missing', () => {
  it('passes with the demo settings', async () => {
    const report = await adapter().inspectConnection();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['credentials', true],
      ['contra_account', true],
      ['posting_settings', true],
    ]);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('fails the credentials check with Xledger’s message for a bad token', async () => {
    const report = await adapter({ apiToken: 'nope' }).inspectConnection();
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([
      { name: 'credentials', ok: false, message: expect.stringMatching(/bad format for api token/) },
    ]);
  });

  it('names the contraAccount setting when its account does not exist', async () => {
    const report = await adapter({ contraAccount: '2999' }).inspectConnection();
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'contra_account')).toEqual({
      name: 'contra_account',
      ok: false,
      message: 'Contra account 2999 (connection setting contraAccount) is not in the chart of accounts',
    });
  });

  it('is built by createAdapter as an XledgerAdapter', () => {
    expect(adapter()).toBeInstanceOf(XledgerAdapter);
  });
});
