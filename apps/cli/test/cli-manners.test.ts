import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { previewTotals } from '../src/commands/export.js';
import { configFilePath, readStoredLogin, writeStoredLogin } from '../src/config-file.js';
import { resolvePeriod } from '../src/dates.js';
import { readCliEnv } from '../src/env.js';
import { EXIT, UsageError } from '../src/exit-codes.js';
import { etaText } from '../src/follow-progress.js';
import { decimalToMinor, formatMoney, resolveLocale } from '../src/output/money.js';
import { renderPlannedDocuments } from '../src/output/planned-documents.js';

const usage = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(EXIT.usage);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('money in the CLI: normal units, grouping, exact', () => {
  it('formats integer minor units in the locale, never through a float', () => {
    expect(formatMoney(27542040, 'NOK', 'en-GB')).toBe('NOK\u00a0275,420.40');
    expect(formatMoney('27542040', 'NOK', 'nb-NO')).toBe('275\u00a0420,40\u00a0kr');
    expect(formatMoney(-5, 'EUR', 'en-GB')).toBe('-€0.05');
    expect(formatMoney(1234, 'JPY', 'en-GB')).toBe('JP¥1,234');
    // Beyond 2^53 a float would round the last digits; the string path keeps every cent.
    expect(formatMoney('900719925474099312', 'NOK', 'en-GB')).toBe('NOK\u00a09,007,199,254,740,993.12');
  });

  it('reads decimal amounts as minor units exactly and sums a preview per currency', () => {
    expect(decimalToMinor('101.5', 'NOK')).toBe(10150n);
    expect(decimalToMinor('-0.10', 'NOK')).toBe(-10n);
    expect(() => decimalToMinor('1.234', 'NOK')).toThrow(RangeError);
    const line = (amount: string, recordId?: string) => ({
      account: '6800',
      amount,
      currency: 'NOK',
      ...(recordId ? { recordId } : {}),
    });
    const totals = previewTotals({
      documents: [
        {
          documentNumber: 'A',
          postingDate: '2026-11-01',
          recordIds: ['r1', 'r2'],
          lines: [line('0.10', 'r1'), line('0.20', 'r2'), line('-0.30')],
        },
      ],
    } as never);
    expect(totals.get('NOK')).toBe(30n);
  });

  it('renders each planned line with its account type, VAT category → code, VAT amount, dimensions and the receipt', () => {
    const document = {
      documentNumber: 'MX-1',
      postingDate: '2026-10-07',
      recordIds: ['r1'],
      receiptUrl: 'https://receipts.example.com/r1.pdf',
      lines: [
        {
          account: '7140',
          amount: '1000.00',
          currency: 'NOK',
          recordId: 'r1',
          accountType: 'gl_account' as const,
          vatCategory: 'HIGH',
          vatCode: 'S25',
          vatAmount: '200.00',
          dimensions: { DEPARTMENT: 'SALES', PROJECT: 'P100' },
        },
        {
          account: '7130',
          amount: '112.00',
          currency: 'NOK',
          recordId: 'r1',
          accountType: 'gl_account' as const,
          vatCategory: 'LOW',
          vatCode: 'S12',
          vatAmount: '12.00',
        },
        {
          account: 'E007',
          amount: '-1112.00',
          currency: 'NOK',
          recordId: 'r1',
          accountType: 'employee' as const,
        },
      ],
    };
    const rows = renderPlannedDocuments([document], 'en-GB').split('\n');
    expect(rows[0]?.split(/\s{2,}/)).toEqual([
      'document',
      'date',
      'account',
      'type',
      'amount',
      'currency',
      'VAT',
      'VAT amount',
      'dimensions',
      'receipt',
    ]);
    const cells = rows.slice(2).map((row) => row.trim().split(/\s{2,}/));
    expect(cells[0]).toEqual([
      'MX-1',
      '2026-10-07',
      '7140',
      'G/L',
      'NOK\u00a01,000.00',
      'NOK',
      'HIGH → S25',
      'NOK\u00a0200.00',
      'DEPARTMENT=SALES, PROJECT=P100',
      'https://receipts.example.com/r1.pdf',
    ]);
    expect(cells[1]).toEqual(['7130', 'G/L', 'NOK\u00a0112.00', 'NOK', 'LOW → S12', 'NOK\u00a012.00']);
    expect(cells[2]).toEqual(['E007', 'employee', '-NOK\u00a01,112.00', 'NOK']);
    // The expense side only: the employee's credit line would cancel the total out.
    expect(previewTotals({ documents: [document] } as never).get('NOK')).toBe(111_200n);
    // An adapter without account types: a record's line is G/L, the contra line the balancing account.
    const legacy = renderPlannedDocuments(
      [
        {
          documentNumber: 'A',
          postingDate: '2026-10-07',
          lines: [
            { account: '7100', amount: '25.00', currency: 'NOK', recordId: 'r2' },
            { account: '2910', amount: '-25.00', currency: 'NOK' },
          ],
        },
      ],
      'en-GB',
    ).split('\n');
    expect(legacy.slice(2).map((row) => row.trim().split(/\s{2,}/)[row.startsWith('A') ? 3 : 1])).toEqual([
      'G/L',
      'balancing',
    ]);
  });

  it('takes --locale, else LC_ALL/LC_MONETARY/LANG, else en-GB', () => {
    expect(resolveLocale('nb-NO', { LANG: 'en_US.UTF-8' })).toBe('nb-NO');
    expect(resolveLocale(undefined, { LANG: 'nb_NO.UTF-8' })).toBe('nb-NO');
    expect(resolveLocale(undefined, { LANG: 'C.UTF-8' })).toBe('en-GB');
    expect(resolveLocale(undefined, {})).toBe('en-GB');
  });
});

describe("periods are the organization's calendar", () => {
  const now = new Date('2026-12-05T01:00:00.000Z');
  it('--period last-month and this-month in the zone; --from/--to its days', () => {
    expect(resolvePeriod({ period: 'last-month' }, 'Europe/Oslo', now)).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T22:59:59.999Z',
    });
    expect(resolvePeriod({ period: 'this-month' }, 'UTC', now)).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-31T23:59:59.999Z',
    });
    expect(resolvePeriod({ from: '2026-11-01', to: '2026-11-24' }, 'Europe/Oslo', now)).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-24T22:59:59.999Z',
    });
  });

  it('refuses what is not a period with exit 2', () => {
    expect(usage(() => resolvePeriod({ period: 'next-year' }, 'UTC', now))).toContain(
      'this-month, last-month',
    );
    expect(usage(() => resolvePeriod({ period: 'last-month', from: '2026-01-01' }, 'UTC', now))).toContain(
      'cannot be combined',
    );
    expect(usage(() => resolvePeriod({ from: '2026-01-01' }, 'UTC', now))).toContain('--period');
    expect(usage(() => resolvePeriod({ from: '2026-02-30', to: '2026-03-01' }, 'UTC', now))).toContain(
      'calendar date',
    );
  });
});

describe('the progress bar', () => {
  it('never shows NFs: no rate yet is a dash, then minutes and seconds', () => {
    expect(etaText(100, 0)).toBe('—');
    expect(etaText(100, Number.NaN)).toBe('—');
    expect(etaText(0, 0)).toBe('0s');
    expect(etaText(100, 10)).toBe('10s');
    expect(etaText(1850, 10)).toBe('3m05s');
    expect(etaText(36_000, 1)).toBe('10h00m');
  });
});

describe('the login file', () => {
  it('lives under XDG_CONFIG_HOME (else ~/.config) and is written 0600 in a 0700 folder', () => {
    expect(configFilePath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' })).toBe(
      '/x/cfg/meander-sync/config.json',
    );
    expect(configFilePath({ HOME: '/home/u' })).toBe('/home/u/.config/meander-sync/config.json');
    const dir = mkdtempSync(join(tmpdir(), 'meander-login-'));
    try {
      const path = configFilePath({ XDG_CONFIG_HOME: dir });
      writeStoredLogin({ apiUrl: 'https://sync.example.test', token: 'abc.def.ghi' }, path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'meander-sync')).mode & 0o777).toBe(0o700);
      expect(readStoredLogin(path)).toEqual({ apiUrl: 'https://sync.example.test', token: 'abc.def.ghi' });
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
        apiUrl: 'https://sync.example.test',
        token: 'abc.def.ghi',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is used when neither flag nor environment gives the URL or token; the environment wins', () => {
    const stored = () => ({ apiUrl: 'https://stored.example.test', token: 'stored.token' });
    expect(readCliEnv({}, stored)).toEqual({ apiUrl: 'https://stored.example.test', token: 'stored.token' });
    expect(readCliEnv({ MEANDER_TOKEN: 'env.token' }, stored)).toEqual({
      apiUrl: 'https://stored.example.test',
      token: 'env.token',
    });
    expect(readCliEnv({}, () => undefined)).toEqual({ apiUrl: 'http://localhost:3000' });
  });
});
