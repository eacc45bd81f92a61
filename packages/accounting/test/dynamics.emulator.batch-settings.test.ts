import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_DYNAMICS_JOURNAL_ID, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { rawClient } from './support/dynamics.js';

// The batch settings and limits API v2.0 does not show, as the emulator models them (issue 22).
// Each test names its public source (V) or says the behaviour is assumed (I, switchable).

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const journal = `journals(${DEMO_DYNAMICS_JOURNAL_ID})`;
const line = (documentNumber: string, description = `Taxi ${documentNumber}`) => ({
  accountType: 'G_x002F_L_x0020_Account',
  accountNumber: '7100',
  postingDate: '2024-05-15',
  documentNumber,
  amount: 100.5,
  description,
  balanceAccountType: 'G_x002F_L_x0020_Account',
  balancingAccountNumber: '2990',
});

/** PUT the faults through the control API, as the acceptance checks do. */
async function putFaults(faults: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${emulators.url}/_control/dynamics/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  return response.status;
}

async function addLines(documentNumbers: string[]) {
  const { api, company } = await rawClient(emulators);
  for (const n of documentNumbers) {
    const created = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: line(n) });
    expect(created.status).toBe(201);
  }
  return { api, company };
}

describe('Posting No. Series (V: BaseApp GenJnlPostBatch.CheckDocumentNo, ShouldSetDocNoToLastPosted)', () => {
  it('posting gives each document the series next number; the description stays as the line had it', async () => {
    expect(await putFaults({ postingNoSeries: true })).toBe(200);
    const { api, company } = await addLines(['D1', 'D1', 'D2']);
    expect((await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' })).status).toBe(204);
    const entries = emulators.ledger('dynamics');
    // Consecutive lines with one document number share one posted number.
    expect(entries.map((e) => [e.documentNumber, e.description])).toEqual([
      ['GP00001', 'Taxi D1'],
      ['GP00001', 'Taxi D1'],
      ['GP00001', 'Taxi D1'],
      ['GP00001', 'Taxi D1'],
      ['GP00002', 'Taxi D2'],
      ['GP00002', 'Taxi D2'],
    ]);
    // The number sent is gone from the G/L: a read-back by it finds nothing …
    const byNumber = await api(`${company}/generalLedgerEntries?$filter=documentNumber eq 'D1'`);
    expect(byNumber.body?.value).toEqual([]);
    // … while the description, copied by G/L Entry.CopyFromGenJnlLine, finds it (MS Learn
    // "Using filter expressions in OData URIs": startswith).
    const byDescription = await api(
      `${company}/generalLedgerEntries?$filter=${encodeURIComponent("startswith(description,'Taxi D2')")}`,
    );
    expect(byDescription.body?.value.map((e: { documentNumber: string }) => e.documentNumber)).toEqual([
      'GP00002',
      'GP00002',
    ]);
  });
});

describe('No. Series without Manual Nos. (V: GenJnlPostBatch.ProcessBalanceOfLines → TestManual; codeunit 304 CannotAssignManuallyErr)', () => {
  it('refuses a number that is not the series next one and posts nothing', async () => {
    await putFaults({ noSeriesWithoutManual: true });
    const { api, company } = await addLines(['MX123']);
    const posted = await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' });
    expect(posted.status).toBe(400);
    expect(posted.body?.error.code).toBe('Application_DialogException');
    expect(posted.body?.error.message).toMatch(
      /^You may not enter numbers manually\. If you want to enter numbers manually, please activate Manual Nos\. in No\. Series GJNL-GEN\./,
    );
    expect(emulators.ledger('dynamics')).toEqual([]);
    expect(emulators.openJournalLines()).toHaveLength(1);
  });

  it("accepts the series' own next numbers, in order", async () => {
    await putFaults({ noSeriesWithoutManual: true });
    const { api, company } = await addLines(['G00001', 'G00002']);
    expect((await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' })).status).toBe(204);
    expect(emulators.ledger('dynamics')).toHaveLength(4);
  });
});

describe('Post with Job Queue (V: codeunit 231 "Gen. Jnl.-Post", General Ledger Setup "Post with Job Queue")', () => {
  it('answers the post at once and books the entries later; the lines leave the journal at once (I)', async () => {
    await putFaults({ jobQueuePostingMs: 200 });
    const { api, company } = await addLines(['D1']);
    expect((await api(`${company}/${journal}/Microsoft.NAV.post`, { method: 'POST' })).status).toBe(204);
    expect(emulators.ledger('dynamics')).toEqual([]);
    expect(emulators.openJournalLines()).toEqual([]);
    await vi.waitFor(() => expect(emulators.ledger('dynamics')).toHaveLength(2), {
      timeout: 3_000,
      interval: 20,
    });
  });
});

describe('Request limits (V: MS Learn "Working with API limits" — 6,000 requests per 5 minutes and 100 concurrent requests per user; 429, Retry-After not promised)', () => {
  it('requestQuota: requests beyond the quota of the window answer 429 with Retry-After', async () => {
    await putFaults({ requestQuota: { requests: 3, windowSeconds: 300 } });
    const { api, company } = await rawClient(emulators);
    for (let i = 0; i < 3; i += 1) expect((await api(`${company}/accounts`)).status).toBe(200);
    const refused = await fetchWithToken(`${company}/accounts`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'Application_TooManyRequests',
    );
  });

  it('throttleWithoutRetryAfter: the 429 carries no Retry-After', async () => {
    await putFaults({ throttle: 1, throttleWithoutRetryAfter: true });
    const { company } = await rawClient(emulators);
    const refused = await fetchWithToken(`${company}/accounts`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeNull();
  });

  it('maxConcurrentRequests: a request beyond the concurrent limit answers 429; a later one passes', async () => {
    // Each request is held for a second, so all four are in flight together even on a busy machine.
    await putFaults({ maxConcurrentRequests: 2, latencyMs: 1_000 });
    const { company } = await rawClient(emulators);
    const token = await tokenFor();
    const statuses = await Promise.all(
      Array.from({ length: 4 }, () => fetchWithToken(`${company}/accounts`, token).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect((await fetchWithToken(`${company}/accounts`, token)).status).toBe(200);
  });
});

describe('Enum values on the wire (V: public clients encode them, G_x002F_L_x0020_Account; the plain form is I)', () => {
  it('accepts the wire form and answers with it', async () => {
    const { api, company } = await rawClient(emulators);
    const created = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: { ...line('D1'), balanceAccountType: 'Bank_x0020_Account', balancingAccountNumber: '1920' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      accountType: 'G_x002F_L_x0020_Account',
      balanceAccountType: 'Bank_x0020_Account',
    });
    const employee = await api(`${company}/${journal}/journalLines`, {
      method: 'POST',
      body: { ...line('D2'), accountType: 'Employee', accountNumber: '' },
    });
    expect(employee.status).toBe(201);
    expect(employee.body?.accountType).toBe('Employee');
  });

  it('the plain form is accepted by default and refused when refusePlainEnumValues is set', async () => {
    const { api, company } = await rawClient(emulators);
    const plain = { ...line('D1'), accountType: 'G/L Account' };
    expect((await api(`${company}/${journal}/journalLines`, { method: 'POST', body: plain })).status).toBe(
      201,
    );
    await putFaults({ refusePlainEnumValues: true });
    const refused = await api(`${company}/${journal}/journalLines`, { method: 'POST', body: plain });
    expect(refused.status).toBe(400);
    expect(refused.body?.error.message).toMatch(/'G\/L Account' is not a valid accountType/);
  });
});

describe('Fault contract', () => {
  it('refuses a malformed quota through PUT /_control/dynamics/faults', async () => {
    expect(await putFaults({ requestQuota: { requests: 0, windowSeconds: 300 } })).toBe(400);
    expect(await putFaults({ jobQueuePostingMs: -1 })).toBe(400);
  });
});

/** A fresh access token for the demo app registration. */
async function tokenFor(): Promise<string> {
  const c = emulators.connections.dynamics;
  const token = await fetch(c.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: c.clientSecret,
      scope: 'https://api.businesscentral.dynamics.com/.default',
    }),
  }).then((r) => r.json() as Promise<{ access_token: string }>);
  return token.access_token;
}

/** A raw GET that returns the Response (headers included). */
async function fetchWithToken(path: string, token?: string): Promise<Response> {
  const c = emulators.connections.dynamics;
  const bearer = token ?? (await tokenFor());
  return fetch(`${c.baseUrl}/api/v2.0/${path}`, { headers: { authorization: `Bearer ${bearer}` } });
}
