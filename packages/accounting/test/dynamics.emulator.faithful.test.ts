import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_DYNAMICS_COMPANY_ID,
  DEMO_DYNAMICS_JOURNAL_ID,
  type RunningEmulators,
  startEmulators,
} from '../src/emulators/index.js';
import { rawClient } from './support/dynamics.js';

// Every behaviour here is one the real Business Central has; each test names its public source
// (see /work/shared/spec/accounting-systems.md, "Dynamics 365 Business Central").

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const journal = `journals(${DEMO_DYNAMICS_JOURNAL_ID})`;
const line = (overrides: Record<string, unknown> = {}) => ({
  accountId: '00000000-0000-0000-0000-000000000000',
  accountNumber: '7100',
  postingDate: '2024-05-15',
  documentNumber: 'D1',
  externalDocumentNumber: 'EXT-1',
  amount: 100.5,
  description: 'Taxi',
  comment: '',
  ...overrides,
});

describe('Business Central emulator — addressing (MS Learn "Endpoints for the APIs")', () => {
  it('lists companies at GET …/companies', async () => {
    const { api } = await rawClient(emulators);
    const { status, body } = await api('companies');
    expect(status).toBe(200);
    expect(body?.value).toEqual([
      expect.objectContaining({ id: DEMO_DYNAMICS_COMPANY_ID, name: 'CRONUS Fjordvik' }),
    ]);
  });

  it('lists journals with code, displayName, templateDisplayName (BCApps APIV2Journals.Page.al fields)', async () => {
    const { api, company } = await rawClient(emulators);
    const { status, body } = await api(`${company}/journals`);
    expect(status).toBe(200);
    expect(body?.value).toContainEqual(
      expect.objectContaining({
        id: DEMO_DYNAMICS_JOURNAL_ID,
        code: 'MEANDER',
        displayName: 'Meander expenses',
        templateDisplayName: 'GENERAL',
        balancingAccountNumber: '',
      }),
    );
  });

  it('answers an unknown company or journal id with a 404 in BC error shape, never an empty 200', async () => {
    const { api, company } = await rawClient(emulators);
    for (const path of [
      'companies(00000000-0000-0000-0000-000000000001)/journals',
      `${company}/journals(00000000-0000-0000-0000-000000000002)/journalLines`,
      `${company}/journals(00000000-0000-0000-0000-000000000002)/Microsoft.NAV.post`,
    ]) {
      const { status, body } = await api(path, path.endsWith('post') ? { method: 'POST' } : {});
      expect(status).toBe(404);
      expect(body?.error.code).toBe('BadRequest_NotFound');
      expect(body?.error.message).toMatch(/CorrelationId/);
    }
  });

  it('creates a journal batch through POST journals (APIV2Journals.Page.al: code is the key, template defaulted)', async () => {
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/journals`, {
      method: 'POST',
      body: { code: 'expenses2', displayName: 'Ours' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      code: 'EXPENSES2',
      displayName: 'Ours',
      templateDisplayName: 'GENERAL',
    });
    const again = await api(`${company}/journals`, { method: 'POST', body: { code: 'EXPENSES2' } });
    // A duplicate primary key is what Internal_EntityWithSameKeyExists means (MS Learn dynamics-error-codes).
    expect(again.status).toBe(409);
    expect(again.body?.error.code).toBe('Internal_EntityWithSameKeyExists');
    const filtered = await api(`${company}/journals?$filter=${encodeURIComponent("code eq 'EXPENSES2'")}`);
    expect(filtered.body?.value).toHaveLength(1);
  });
});

describe('Business Central emulator — journal lines and posting', () => {
  it('accepts a repeated externalDocumentNumber (table 81 key is template, batch, line no.)', async () => {
    const { api, company } = await rawClient(emulators);
    const first = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    const second = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body?.lineNumber).toBe(20000);
  });

  it('refuses an unknown account number at line creation (APIV2JournalLines.Page.al UpdateAccountIdForGLAccount)', async () => {
    const { api, company } = await rawClient(emulators);
    const refused = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountNumber: '4711' }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body?.error.message).toMatch(/^The "accountNumber" does not match to an Account\./);
    // Assumption I, switchable: acceptUnknownAccounts turns the refusal off.
    emulators.setFaults('dynamics', { acceptUnknownAccounts: true });
    const accepted = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountNumber: '4711' }),
    });
    expect(accepted.status).toBe(201);
  });

  it('creates the MS Learn v2.0 "Create journalLines" example as documented (201, the line echoed)', async () => {
    // Body copied from MS Learn api/dynamics_journalline_create (v2.0).
    const { api, company } = await rawClient(emulators);
    const example = {
      id: '0a077d18-45e3-ea11-bb43-000d3a2feca1',
      journalId: 'dd1b6a90-44e3-ea11-bb43-000d3a2feca1',
      lineNumber: 10000,
      accountType: 'G/L Account',
      accountId: '00000000-0000-0000-0000-000000000000',
      accountNumber: '',
      postingDate: '2018-12-31',
      documentNumber: '',
      externalDocumentNumber: '',
      amount: 0,
      description: '',
      comment: '',
    };
    const created = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: example });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      journalId: DEMO_DYNAMICS_JOURNAL_ID,
      lineNumber: 10000,
      // Enum values come back as OData writes them on the wire (V: public clients, Rebel BCApi2 enums).
      accountType: 'G_x002F_L_x0020_Account',
      accountNumber: '',
      postingDate: '2018-12-31',
      amount: '0',
    });
    // Line No. is the key: the same example again is a duplicate key (MS Learn dynamics-error-codes).
    const again = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: example });
    expect(again.status).toBe(409);
    expect(again.body?.error.code).toBe('Internal_EntityWithSameKeyExists');
  });

  it('checks accountId against the chart (APIV2JournalLines.Page.al accountId / UpdateAccountIdForGLAccount)', async () => {
    const { api, company } = await rawClient(emulators);
    const unknownId = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountId: 'a9e5a8ad-44e3-ea11-bb43-000d3a2feca1', accountNumber: '' }),
    });
    expect(unknownId.status).toBe(400);
    expect(unknownId.body?.error.message).toMatch(/^The "accountId" does not match to an Account\./);
    const accounts = await api(`${company}/accounts?$filter=${encodeURIComponent("number eq '1920'")}`);
    const bank = accounts.body?.value[0];
    const byId = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountId: bank.id, accountNumber: '' }),
    });
    expect(byId.status).toBe(201);
    expect(byId.body?.accountNumber).toBe('1920');
    const mismatch = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountId: bank.id, accountNumber: '7100' }),
    });
    expect(mismatch.body?.error.message).toMatch(/^The account values do not match to a specific Account\./);
  });

  it('answers "There is nothing to post." on an empty journal (APIV2Journals.Page.al ThereIsNothingToPostErr)', async () => {
    const { api, company } = await rawClient(emulators);
    const { status, body } = await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' });
    expect(status).toBe(400);
    expect(body?.error.message).toMatch(/^There is nothing to post\./);
  });

  it('refuses a document that does not balance (GenJnlPostBatch "… is out of balance by …") and posts nothing', async () => {
    const { api, company } = await rawClient(emulators);
    await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    const { status, body } = await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' });
    expect(status).toBe(400);
    expect(body?.error.message).toMatch(/Document No\. D1 is out of balance by 100\.50/);
    expect(emulators.ledger('dynamics')).toHaveLength(0);
    expect(emulators.openJournalLines()).toHaveLength(1);
  });

  it('posts EVERY line of the batch, then deletes them; entries appear in generalLedgerEntries (BCApps PostBatch, GenJnlPostBatch DeleteAll)', async () => {
    const { api, company } = await rawClient(emulators);
    // Two lines of one balanced document, and one line balanced by its own balancing account.
    await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountNumber: '2990', amount: -100.5 }),
    });
    await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({
        documentNumber: 'D2',
        amount: '12.34',
        balanceAccountType: 'G/L Account',
        balancingAccountNumber: '2990',
      }),
    });
    const posted = await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' });
    expect(posted.status).toBe(204);
    // After a post, the journal is empty: journal lines cannot tell what was posted.
    const lines = await api(
      `${company}/${journal}/journalLines?$filter=${encodeURIComponent("externalDocumentNumber eq 'EXT-1'")}`,
    );
    expect(lines.body?.value).toEqual([]);
    const entries = await api(
      `${company}/generalLedgerEntries?$filter=${encodeURIComponent("documentNumber eq 'D2'")}`,
    );
    expect(entries.body?.value).toEqual([
      expect.objectContaining({
        entryNumber: 3,
        documentNumber: 'D2',
        accountNumber: '7100',
        debitAmount: '12.34',
        creditAmount: '0',
      }),
      expect.objectContaining({
        entryNumber: 4,
        documentNumber: 'D2',
        accountNumber: '2990',
        debitAmount: '0',
        creditAmount: '12.34',
      }),
    ]);
    // Fields of MS Learn dynamics_generalledgerentry; no externalDocumentNumber.
    const entry = entries.body?.value[0];
    expect(Object.keys(entry).sort()).toEqual(
      [
        '@odata.etag',
        'id',
        'entryNumber',
        'postingDate',
        'documentNumber',
        'documentType',
        'accountId',
        'accountNumber',
        'description',
        'debitAmount',
        'creditAmount',
        'additionalCurrencyDebitAmount',
        'additionalCurrencyCreditAmount',
        'lastModifiedDateTime',
      ].sort(),
    );
    expect(emulators.ledger('dynamics')).toHaveLength(4);
  });

  it('refuses posting dates outside the allowed range at posting, not at line creation (General Ledger Setup)', async () => {
    emulators.setFaults('dynamics', { allowPostingFrom: '2024-06-01', allowPostingTo: '2024-06-30' });
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ balancingAccountNumber: '2990' }),
    });
    expect(created.status).toBe(201);
    const { status, body } = await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' });
    expect(status).toBe(400);
    expect(body?.error.message).toMatch(
      /Posting Date is not within your range of allowed posting dates.*Line No\.='10000'/,
    );
    expect(emulators.ledger('dynamics')).toHaveLength(0);
  });

  it('lists only G/L Account / Bank Account lines with no document type (MS Learn "Get journalLines" note)', async () => {
    const { api, company } = await rawClient(emulators);
    await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ accountType: 'Customer', accountNumber: 'C0001' }),
    });
    await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: line({ documentType: 'Invoice' }),
    });
    const { body } = await api(`${company}/${journal}/journalLines`);
    expect(body?.value).toHaveLength(1);
    expect(emulators.openJournalLines()).toHaveLength(3);
  });

  it('deletes a journal line only with a matching If-Match (OData concurrency, Request_EntityChanged)', async () => {
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line() });
    const path = `${company}/${journal}/journalLines(${created.body?.id})`;
    expect((await api(path, { method: 'DELETE' })).status).toBe(428);
    const stale = await api(path, { method: 'DELETE', headers: { 'If-Match': 'W/"other"' } });
    expect(stale.status).toBe(412);
    expect(stale.body?.error.code).toBe('Request_EntityChanged');
    expect(
      (await api(path, { method: 'DELETE', headers: { 'If-Match': created.body?.['@odata.etag'] } })).status,
    ).toBe(204);
    expect(emulators.openJournalLines()).toHaveLength(0);
  });

  it('serves accountingPeriods read-only (BCApps APIV2AccountingPeriods.Page.al)', async () => {
    emulators.setFaults('dynamics', { closedPeriodsBefore: '2024-01-01' });
    const { api, company } = await rawClient(emulators);
    const { body } = await api(`${company}/accountingPeriods`);
    const periods = body?.value as { startingDate: string; closed: boolean; newFiscalYear: boolean }[];
    expect(periods.find((p) => p.startingDate === '2023-12-01')).toMatchObject({ closed: true });
    expect(periods.find((p) => p.startingDate === '2024-01-01')).toMatchObject({
      closed: false,
      newFiscalYear: true,
    });
    expect((await api(`${company}/accountingPeriods`, { method: 'POST', body: {} })).status).toBe(405);
  });
});

describe('Business Central emulator — $batch (MS Learn "Using OData batch")', () => {
  it('refuses more than 100 operations', async () => {
    const { api } = await rawClient(emulators);
    const requests = Array.from({ length: 101 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: 'companies',
    }));
    const { status } = await api('$batch', { method: 'POST', body: { requests } });
    expect(status).toBe(400);
  });

  it('with Isolation: snapshot, one failing operation rolls back the others', async () => {
    const { api, company } = await rawClient(emulators);
    const url = `${company}/${journal}/journalLines`;
    const { status } = await api('$batch', {
      method: 'POST',
      headers: { Isolation: 'snapshot' },
      body: {
        requests: [
          { id: '1', method: 'POST', url, body: line(), headers: { 'Content-Type': 'application/json' } },
          {
            id: '2',
            method: 'POST',
            url,
            body: line({ accountNumber: '4711' }),
            headers: { 'Content-Type': 'application/json' },
          },
        ],
      },
    });
    expect(status).toBe(400);
    expect(emulators.openJournalLines()).toHaveLength(0);
  });

  it('without isolation, each operation stands alone', async () => {
    const { api, company } = await rawClient(emulators);
    const url = `${company}/${journal}/journalLines`;
    const { status, body } = await api('$batch', {
      method: 'POST',
      body: {
        requests: [
          { id: '1', method: 'POST', url, body: line() },
          { id: '2', method: 'POST', url, body: line({ accountNumber: '4711' }) },
        ],
      },
    });
    expect(status).toBe(200);
    expect(body?.responses.map((r: { status: number }) => r.status)).toEqual([201, 400]);
    expect(emulators.openJournalLines()).toHaveLength(1);
  });
});
