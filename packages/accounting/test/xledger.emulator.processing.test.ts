import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { realSleep } from '../src/http/clock.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators({ maxPageSize: 20_000 });
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped GraphQL answers
type Json = any;

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const res = await fetch(emulators.connections.xledger.baseUrl, {
    method: 'POST',
    headers: { authorization: 'token demo-xledger-token', 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { data?: Json; errors?: Json[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

const control = async (method: string, what: string) => {
  const res = await fetch(`${emulators.url}/_control/xledger/${what}`, { method });
  return { status: res.status, body: (await res.json()) as Json };
};

/** A balanced pair (help centre article 33393587744786's example: +101.00 / -101.00) on `account`. */
const pair = (id: string, account = '6800') =>
  ['101.00', '-101.00'].map((amount, i) => ({
    clientId: `${id}${i ? ':contra' : ''}`,
    node: {
      transactionSource: { code: 'GL' },
      extIdentifier: `${id}${i ? ':contra' : ''}`,
      postedDate: '2024-05-15',
      account: { code: i ? '2910' : account },
      amount,
      invoiceNumber: id,
      trRegNumber: 7,
    },
  }));

const IMPORT = `mutation($inputs: [AddGLImportItemsInput!]!) { addGLImportItems(inputs: $inputs) { edges { clientId node { dbId } } } }`;
const ITEMS = `query($filter: GLImportItem_Filter, $first: Int, $after: String) {
  glImportItems(first: $first, after: $after, filter: $filter) { edges { cursor node { dbId extIdentifier } } pageInfo { hasNextPage endCursor } }
}`;
const ENTRIES = `query($filter: JournalEntry_Filter) {
  journalEntries(first: 100, filter: $filter) { edges { node { dbId extIdentifier amount postedDate invoiceNumber account { code } } } pageInfo { hasNextPage } }
}`;

const ledgerOverHttp = async () => (await control('GET', 'ledger')).body.entries as Json[];

describe('Xledger emulator — processing (I: not documented whether it runs inside the import request)', () => {
  it('GET /_control/xledger/ledger shows status staged until processingDelayMs passed, then processed', async () => {
    emulators.setFaults('xledger', { processingDelayMs: 1_000 });
    await graphql(IMPORT, { inputs: pair('a') });
    expect((await ledgerOverHttp()).map((e) => e.status)).toEqual(['staged', 'staged']);
    expect((await graphql(ENTRIES)).journalEntries.edges).toEqual([]);
    for (
      const until = Date.now() + 10_000;
      (await ledgerOverHttp())[0].status === 'staged';
      await realSleep(10)
    ) {
      if (Date.now() > until) throw new Error('never processed');
    }
    expect((await ledgerOverHttp()).map((e) => e.status)).toEqual(['processed', 'processed']);
  });

  it('booked lines are journalEntries carrying the import item’s extIdentifier (grasp-labs journalEntries/read fields; I: the copy)', async () => {
    await graphql(IMPORT, { inputs: [...pair('a'), ...pair('b')] });
    const entries = (await graphql(ENTRIES, { filter: { extIdentifier_in: ['b', 'b:contra'] } }))
      .journalEntries;
    expect(entries.edges.map((e: Json) => e.node)).toEqual([
      expect.objectContaining({
        extIdentifier: 'b',
        amount: '101.00',
        postedDate: '2024-05-15',
        invoiceNumber: 'b',
        account: { code: '6800' },
      }),
      expect.objectContaining({ extIdentifier: 'b:contra', amount: '-101.00', account: { code: '2910' } }),
    ]);
  });

  it.each([
    { processedItemsUnlisted: false, listed: ['a', 'a:contra', 'b', 'b:contra'] },
    { processedItemsUnlisted: true, listed: ['b', 'b:contra'] },
  ])(
    'processedItemsUnlisted=$processedItemsUnlisted (I): glImportItems lists $listed',
    async ({ processedItemsUnlisted, listed }) => {
      emulators.setFaults('xledger', { processedItemsUnlisted, closedAccounts: ['7140'] });
      await graphql(IMPORT, { inputs: [...pair('a'), ...pair('b', '7140')] });
      const items = (await graphql(ITEMS, { first: 100 })).glImportItems.edges.map(
        (e: Json) => e.node.extIdentifier,
      );
      expect(items).toEqual(listed);
      expect((await ledgerOverHttp()).map((e) => e.status)).toEqual([
        'processed',
        'processed',
        'error',
        'error',
      ]);
    },
  );

  it('reprocess runs refused items again under the current faults: still closed → refused again with a fresh error; reopened → booked', async () => {
    emulators.setFaults('xledger', { closedAccounts: ['7140'] });
    await graphql(IMPORT, { inputs: pair('b', '7140') });
    const before = emulators.xledgerImportErrors().map((e) => e.dbId);
    expect(await control('POST', 'reprocess')).toEqual({
      status: 200,
      body: { reprocessed: 2, processed: 0, refused: 2 },
    });
    const after = emulators.xledgerImportErrors();
    expect(after).toHaveLength(2);
    expect(after.map((e) => e.dbId)).not.toEqual(before);
    expect(after[0]?.message).toBe('Account 7140 is closed for posting');

    emulators.setFaults('xledger', {});
    expect(await control('POST', 'reprocess')).toEqual({
      status: 200,
      body: { reprocessed: 2, processed: 2, refused: 0 },
    });
    expect(emulators.xledgerImportErrors()).toEqual([]);
    expect(emulators.xledgerJournalEntries().map((e) => e.extIdentifier)).toEqual(['b', 'b:contra']);
    expect(await control('POST', 'reprocess')).toEqual({
      status: 200,
      body: { reprocessed: 0, processed: 0, refused: 0 },
    });
  });

  it('delete-errored deletes refused staged items and their errors, and nothing else; controls are POST only', async () => {
    emulators.setFaults('xledger', { closedAccounts: ['7140'] });
    await graphql(IMPORT, { inputs: [...pair('a'), ...pair('b', '7140')] });
    expect((await control('GET', 'delete-errored')).status).toBe(405);
    expect((await control('GET', 'reprocess')).status).toBe(405);
    expect(await control('POST', 'delete-errored')).toEqual({ status: 200, body: { deleted: 2 } });
    expect((await ledgerOverHttp()).map((e) => [e.extIdentifier, e.status])).toEqual([
      ['a', 'processed'],
      ['a:contra', 'processed'],
    ]);
    expect(emulators.xledgerImportErrors()).toEqual([]);
    expect((await graphql(ITEMS, { filter: { extIdentifier: 'b' } })).glImportItems.edges).toEqual([]);
  });
});

describe('Xledger emulator — paging', () => {
  it('at most 10,000 records per query, then cursors (help centre article 23685633055250)', async () => {
    // 10,002 one-sided items (refused as out of balance, still listed): 21 mutations of ≤ 500 nodes.
    const nodes = Array.from({ length: 10_002 }, (_, i) => ({
      node: {
        transactionSource: { code: 'GL' },
        extIdentifier: `p-${i}`,
        postedDate: '2024-05-15',
        account: { code: '6800' },
        amount: '1.00',
      },
    }));
    for (let i = 0; i < nodes.length; i += 500) await graphql(IMPORT, { inputs: nodes.slice(i, i + 500) });
    const first = (await graphql(ITEMS, { first: 20_000 })).glImportItems;
    expect(first.edges).toHaveLength(10_000);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await graphql(ITEMS, { first: 20_000, after: first.pageInfo.endCursor })).glImportItems;
    expect(rest.edges.map((e: Json) => e.node.extIdentifier)).toEqual(['p-10000', 'p-10001']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });
});
