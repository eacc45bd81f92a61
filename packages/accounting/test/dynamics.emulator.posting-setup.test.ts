import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_DYNAMICS_JOURNAL_ID, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import {
  DEMO_DYNAMICS_DIMENSIONS,
  DEMO_DYNAMICS_EMPLOYEES,
  DEMO_DYNAMICS_VAT_CODES,
} from '../src/systems/dynamics/emulator/dynamics-emulated-system.js';
import { balancesOf } from '../src/systems/dynamics/emulator/dynamics-ledger.js';
import { rawClient } from './support/dynamics.js';
import { batchContext, fastOptions } from './support/fixtures.js';

// The emulator's VAT, employee and dimension set-up, each behaviour with its public source
// (V = read there, I = inferred; see /work/shared/spec/accounting-systems.md).

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const journal = `journals(${DEMO_DYNAMICS_JOURNAL_ID})`;
const line = (overrides: Record<string, unknown> = {}) => ({
  accountType: 'G_x002F_L_x0020_Account',
  accountNumber: '7160',
  postingDate: '2024-05-15',
  documentNumber: 'D1',
  amount: '100.01',
  description: 'Dinner',
  balanceAccountType: 'Employee',
  balancingAccountNumber: 'E001',
  ...overrides,
});

describe('master data (V: BCApps APIV2TaxGroups / APIV2Dimensions / APIV2DimensionValues pages, table 5200 Employee)', () => {
  it('holds employees E001–E010, the demo VAT codes and dimension values, filterable by key', async () => {
    const { api, company } = await rawClient(emulators);
    const employees = await api(`${company}/employees`);
    expect(employees.body?.value.map((e: { number: string }) => e.number)).toEqual(DEMO_DYNAMICS_EMPLOYEES);
    expect(DEMO_DYNAMICS_EMPLOYEES).toHaveLength(10);
    expect(DEMO_DYNAMICS_EMPLOYEES[9]).toBe('E010');
    const tax = await api(
      `${company}/taxGroups?$filter=${encodeURIComponent("code eq 'S25' or code eq 'X1'")}`,
    );
    expect(tax.body?.value).toEqual([expect.objectContaining({ code: 'S25', taxType: 'VAT' })]);
    const dims = await api(`${company}/dimensions?$filter=${encodeURIComponent("code eq 'DEPARTMENT'")}`);
    const id = dims.body?.value[0]?.id;
    const values = await api(`${company}/dimensions(${id})/dimensionValues`);
    expect(values.body?.value.map((v: { code: string }) => v.code)).toEqual(['SALES', 'OPS']);
    expect(DEMO_DYNAMICS_VAT_CODES).toBe('HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0');
    expect(DEMO_DYNAMICS_DIMENSIONS).toBe('department=DEPARTMENT,project=PROJECT');
  });
});

describe('journal lines with VAT and an employee (V: APIV2JournalLines.Page.al; table 81)', () => {
  it('refuses an unknown taxCode and an unknown employee at line creation (I: the platform table-relation message)', async () => {
    const { api, company } = await rawClient(emulators);
    const badVat = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ taxCode: 'S99' }),
    });
    expect(badVat.status).toBe(400);
    expect(badVat.body?.error.message).toContain(
      'contains a value (S99) that cannot be found in the related table (VAT Product Posting Group)',
    );
    const badEmployee = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ balancingAccountNumber: 'E011' }),
    });
    expect(badEmployee.status).toBe(400);
    expect(badEmployee.body?.error.message).toContain(
      '(E011) that cannot be found in the related table (Employee)',
    );
    expect(emulators.openJournalLines()).toEqual([]);
  });

  it('splits VAT off the gross amount by the VAT % (Amount × % / (100 + %), rounded to 0.01) and books the employee', async () => {
    const { api, company } = await rawClient(emulators);
    // 100.01 at 25 %: 20.002 → 20.00 VAT, 80.01 base. 50.00 at 15 %: 6.5217… → 6.52.
    for (const [amount, taxCode] of [
      ['100.01', 'S25'],
      ['50.00', 'S15'],
    ])
      expect(
        (await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line({ amount, taxCode }) }))
          .status,
      ).toBe(201);
    expect((await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' })).status).toBe(204);
    expect(balancesOf(emulators.ledger('dynamics'))).toEqual({
      accounts: { '7160': '123.49', '2710': '26.52', '2990': '-150.01' },
      vat: { S25: { base: '80.01', amount: '20' }, S15: { base: '43.48', amount: '6.52' } },
      employees: { E001: '-150.01' },
    });
  });

  it("a record whose VAT differs from Business Central's own is booked with Business Central's (no VAT Amount in API v2.0)", async () => {
    // Decision: Meander sends the gross amount and the VAT code; Business Central's VAT Posting Setup
    // decides the VAT (table 81). A different VAT can only be a "VAT difference" (template "Allow VAT
    // Difference", G/L Setup "Max. VAT Difference Allowed"), set on the VAT Amount field, which API v2.0
    // does not expose. Net 100.00 + VAT 24.00 under HIGH (25 %) books 24.80 VAT on 99.20.
    const adapter = createAdapter(
      'dynamics',
      { ...emulators.connections.dynamics, vatCodes: DEMO_DYNAMICS_VAT_CODES },
      fastOptions(),
    );
    const result = await adapter.pushBatch(
      [
        {
          id: 'vat-diff',
          kind: 'expense_claim',
          amountMinor: 12_400,
          currency: 'NOK',
          bookingDate: '2024-05-15',
          account: '7160',
          employeeNumber: 'E002',
          lines: [{ account: '7160', amountMinor: 10_000, vatCode: 'HIGH', vatAmountMinor: 2_400 }],
        },
      ],
      batchContext(),
    );
    expect(result.accepted).toHaveLength(1);
    expect(balancesOf(emulators.ledger('dynamics')).vat).toEqual({ S25: { base: '99.20', amount: '24.80' } });
  });
});

describe('dimension set lines (V: BCApps APIV2DimensionSetLines.Page.al labels)', () => {
  it('takes code + valueCode, refuses unknown dimensions, values and a second line for the same dimension', async () => {
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    const parts = `${company}/${journal}/journalLines(${created.body?.id})/dimensionSetLines`;
    expect(
      (await api(parts, { method: 'POST', body: { code: 'DEPARTMENT', valueCode: 'OPS' } })).status,
    ).toBe(201);
    const refusals = [
      [{ code: 'REGION', valueCode: 'N' }, 'The "code" does not match to a Dimension.'],
      [{ code: 'PROJECT', valueCode: 'P999' }, 'The "valueCode" does not match to a Dimension Value.'],
      [{ code: 'DEPARTMENT', valueCode: 'SALES' }, 'The dimension set line already exists.'],
    ] as const;
    for (const [body, message] of refusals) {
      const answer = await api(parts, { method: 'POST', body });
      expect(answer.status).toBe(400);
      expect(answer.body?.error.message).toContain(message);
    }
    expect((await api(parts)).body?.value).toEqual([
      expect.objectContaining({ code: 'DEPARTMENT', valueCode: 'OPS' }),
    ]);
    expect((await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' })).status).toBe(204);
    expect(emulators.ledger('dynamics')[0]?.dimensions).toEqual({ DEPARTMENT: 'OPS' });
  });
});

describe('attachments of a journal line (V: BCApps APIV2Attachments.Page.al; MS Learn "attachment" resource)', () => {
  it('creates an attachment by file name (an invalid name becomes filename.txt), takes its content by PATCH attachmentContent', async () => {
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    const parts = `${company}/${journal}/journalLines(${created.body?.id})/attachments`;
    const bad = await api(parts, { method: 'POST', body: { fileName: 'a:b?.url' } });
    expect(bad.body).toMatchObject({ fileName: 'filename.txt', parentType: 'Journal' });
    const good = await api(parts, { method: 'POST', body: { fileName: 'receipt.url' } });
    const upload = await api(`${parts}(${good.body?.id})/attachmentContent`, {
      method: 'PATCH',
      headers: { 'If-Match': '*' },
      body: 'raw',
    });
    expect(upload.status).toBe(204);
    const listed = await api(parts);
    expect(
      listed.body?.value.map((a: { fileName: string; byteSize: number }) => [a.fileName, a.byteSize]),
    ).toEqual([
      ['filename.txt', 0],
      // rawClient sends its body as JSON: the stream holds the five characters "raw" with their quotes.
      ['receipt.url', 5],
    ]);
  });
});

describe('checkConnection / doctor — the posting model (read-only, named checks)', () => {
  it('passes with the demo mapping and names every mapped code that is missing', async () => {
    const good = createAdapter(
      'dynamics',
      {
        ...emulators.connections.dynamics,
        vatCodes: DEMO_DYNAMICS_VAT_CODES,
        dimensions: DEMO_DYNAMICS_DIMENSIONS,
      },
      fastOptions(),
    );
    const report = await good.inspectConnection();
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => ['vat_codes', 'dimensions', 'employees'].includes(c.name))).toEqual([
      { name: 'vat_codes', ok: true, message: expect.stringContaining('HIGH→S25') },
      {
        name: 'dimensions',
        ok: true,
        message: expect.stringContaining('department→DEPARTMENT (SALES, OPS)'),
      },
      { name: 'employees', ok: true, message: expect.any(String) },
    ]);
    const writes = emulators.stats('dynamics').writes;
    expect(writes).toBe(0);

    const bad = createAdapter(
      'dynamics',
      {
        ...emulators.connections.dynamics,
        vatCodes: 'HIGH=S25,LOW=L12',
        dimensions: 'costCentre=COSTCENTRE',
      },
      fastOptions(),
    );
    const failing = await bad.inspectConnection();
    expect(failing.ok).toBe(false);
    expect(failing.checks.find((c) => c.name === 'vat_codes')).toMatchObject({
      ok: false,
      message: expect.stringContaining('LOW→L12'),
    });
    expect(failing.checks.find((c) => c.name === 'dimensions')).toMatchObject({
      ok: false,
      message: expect.stringContaining('costCentre→COSTCENTRE'),
    });
  });

  it('an organization without posting settings sees the report of earlier versions', async () => {
    const report = await createAdapter(
      'dynamics',
      emulators.connections.dynamics,
      fastOptions(),
    ).inspectConnection();
    expect(report.checks.map((c) => c.name)).not.toContain('vat_codes');
    expect(report.checks.map((c) => c.name)).not.toContain('employees');
  });
});
