import type { RejectedRecord } from '@meander/accounting';
import type { ErrorDetails, ExportRecord } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import {
  detailsWithoutPersonalData,
  rejectionsWithoutPersonalData,
  withoutPersonalData,
} from '../src/personal-data.js';

const record = (overrides: Partial<ExportRecord> = {}): ExportRecord => ({
  id: crypto.randomUUID(),
  kind: 'expense_claim',
  amountMinor: 52_000,
  currency: 'NOK',
  bookingDate: '2026-11-03',
  account: '7140',
  description: 'Dinner with Ingrid Solbakken-Vrang and two customers from Tromsø, receipt attached',
  employeeNumber: 'E0042',
  receiptUrl: 'https://expenses.meander.example/receipts/8812.pdf',
  ...overrides,
});

const refusal = (recordId: string, reason: string): RejectedRecord => ({
  recordId,
  code: 'Application_StringExceededLength',
  category: 'validation',
  retryable: false,
  reason,
});

describe('ledger messages without personal data', () => {
  it("names a quoted description, even one the ledger cut to its field's length (Business Central Text[100])", () => {
    const r = record();
    // The message Business Central gives for a text over its field's length (microsoft/ALAppExtensions#8173).
    const full = `The length of the string is ${r.description?.length}, but it must be less than or equal to 50 characters. Value: ${r.description}`;
    expect(withoutPersonalData(full, [r])).toBe(
      `The length of the string is ${r.description?.length}, but it must be less than or equal to 50 characters. Value: [description]`,
    );
    const cut = `Value: MXKEY12345 ${r.description?.slice(0, 40).toUpperCase()}`;
    expect(withoutPersonalData(cut, [r])).toBe('Value: MXKEY12345 [description]');
  });

  it('names the employee number where it stands alone, never inside another code (E0042 is not in E00421)', () => {
    const r = record();
    expect(
      withoutPersonalData("The Employee does not exist. Identification fields and values: No.='E0042'", [r]),
    ).toBe("The Employee does not exist. Identification fields and values: No.='[employee number]'");
    expect(withoutPersonalData('Employee E00421 is blocked', [r])).toBe('Employee E00421 is blocked');
  });

  it('names the receipt URL, and a short description only where it stands alone', () => {
    const r = record({ description: 'Taxi' });
    expect(withoutPersonalData(`Cannot fetch ${r.receiptUrl} (404)`, [r])).toBe(
      'Cannot fetch [receipt URL] (404)',
    );
    expect(withoutPersonalData("Text 'Taxi' is not allowed; see Taxiway rules", [r])).toBe(
      "Text '[description]' is not allowed; see Taxiway rules",
    );
  });

  it('leaves a message that quotes nothing as it is, and checks every record of the batch', () => {
    const [a, b] = [
      record(),
      record({ description: 'Hotel Bergen, Sigrun Øvrebø, two nights', employeeNumber: 'E7' }),
    ];
    const plain = refusal(a.id, 'Account 7140 is closed for posting');
    const quotingB = refusal(a.id, 'The voucher of Hotel Bergen, Sigrun Øvrebø, two nights does not balance');
    const [kept, named] = rejectionsWithoutPersonalData([plain, quotingB], [a, b]);
    expect(kept).toBe(plain);
    expect(named).toEqual({ ...quotingB, reason: 'The voucher of [description] does not balance' });
  });

  it("names them in a whole-sync failure's message and stack", () => {
    const r = record();
    const details: ErrorDetails = {
      code: 'WORKER_ERROR',
      message: `The sync stopped on an unexpected error: bad text ${r.description}`,
      category: 'unknown',
      retryable: true,
      stack: `Error: bad text ${r.description}\n    at push (adapter.ts:1:1)`,
    };
    expect(detailsWithoutPersonalData(details, [r])).toEqual({
      ...details,
      message: 'The sync stopped on an unexpected error: bad text [description]',
      stack: 'Error: bad text [description]\n    at push (adapter.ts:1:1)',
    });
    expect(detailsWithoutPersonalData(details, [])).toBe(details);
  });
});
