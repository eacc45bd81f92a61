import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(emulators.connections.xledger.baseUrl, {
    method: 'POST',
    headers: {
      authorization: 'token demo-xledger-token',
      'content-type': 'application/json',
      accept: 'application/json',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped GraphQL answers
  type Json = any;
  return { status: res.status, body: (await res.json()) as { data?: Json; errors?: Json[] } };
}

describe('Xledger emulator — requests copied from public clients get the real answers', () => {
  it('onecore inline-literal mutation (account/jobLevel by dbId, invoiceAmount as a number, transactionSource AR)', async () => {
    // onecore services/economy/src/services/common/adapters/xledger-adapter.ts, createAggregatedTransaction.
    const res = await post({
      query: `mutation {
        addGLImportItems(inputs: [
          {
            node: {
              postedDate: "2026-10-01",
              account: {dbId: 500005},
              transactionSource: {code: "AR"},
              invoiceAmount: 1250.5,
              taxRule:{code:"2"},
              jobLevel: {dbId: 14502},
              trRegNumber: 12345
            }
          }
        ]) {
          edges { node {dbId} }
        }
      }`,
    });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.addGLImportItems.edges).toEqual([{ node: { dbId: '1000001' } }]);
    // A one-sided voucher is staged, and processing says why it cannot be booked (I).
    expect(emulators.xledgerImportErrors()).toEqual([
      expect.objectContaining({
        transactionDbId: '1000001',
        message: expect.stringMatching(/out of balance by 1250.50/),
      }),
    ]);
  });

  it('help-centre balanced pair (+101.00 / -101.00, decimal strings, jobLevel dbSubId) is booked without errors', async () => {
    // Xledger UK help centre "How to Use the Xledger GraphQL API Economically".
    const line = (amount: string) => `{
      node: {
        trRegNumber: 20260217
        postedDate: "2026-02-17"
        invoiceDate: "2026-02-17"
        transactionSource: { code: "GL" }
        dueDate: "2027-01-01"
        amount: "${amount}"
        invoiceAmount: "${amount}"
        text: "Invoice Xledger Test - Line 1"
        invoiceNumber: "Xledger123"
        jobLevel: { dbSubId: 1 }
        account: { code: "1010" }
      }
    }`;
    const res = await post({
      query: `mutation {\naddGLImportItems(\ninputs: [\n${line('101.00')}\n${line('-101.00')}\n]) { edges { node { dbId } } } }`,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.addGLImportItems.edges).toHaveLength(2);
    expect(emulators.ledger('xledger').map((i) => [i.amount, i.status])).toEqual([
      ['101.00', 'processed'],
      ['-101.00', 'processed'],
    ]);
    expect(emulators.xledgerImportErrors()).toEqual([]);
  });

  it('grasp-labs variables form: [AddGLImportItemsInput!]! with clientId echoed on each edge', async () => {
    // grasp-labs ds-provider-xledger-py-lib assets/glImportItems/create/query.graphql + query_builder.py.
    const node = (amount: string) => ({
      transactionSource: { code: 'GL' },
      postedDate: '2026-03-01',
      account: { code: '6800' },
      amount,
      extIdentifier: 'grasp-1',
    });
    const res = await post({
      query: `mutation ($PlaceHolderInput: [AddGLImportItemsInput!]!) {
  addGLImportItems(inputs: $PlaceHolderInput) {
    edges {
      clientId
      node { amount dbId discount discountDate trRegNumber }
    }
  }
}`,
      variables: {
        PlaceHolderInput: [
          { clientId: '0', node: node('10.00') },
          { clientId: '1', node: node('-10.00') },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.addGLImportItems.edges.map((e: { clientId: string }) => e.clientId)).toEqual([
      '0',
      '1',
    ]);
    expect(res.body.data.addGLImportItems.edges[0].node).toMatchObject({ amount: '10.00', discount: null });
  });

  it('stores a repeated extIdentifier again: nothing public says Xledger refuses it', async () => {
    const mutation = {
      query: `mutation($i: [AddGLImportItemsInput!]!) { addGLImportItems(inputs: $i) { edges { node { dbId } } } }`,
      variables: {
        i: [
          {
            node: {
              transactionSource: { code: 'GL' },
              postedDate: '2026-03-01',
              account: { code: '6800' },
              amount: '1.00',
              extIdentifier: 'dup',
            },
          },
          {
            node: {
              transactionSource: { code: 'GL' },
              postedDate: '2026-03-01',
              account: { code: '2910' },
              amount: '-1.00',
              extIdentifier: 'dup',
            },
          },
        ],
      },
    };
    expect((await post(mutation)).body.errors).toBeUndefined();
    expect((await post(mutation)).body.errors).toBeUndefined();
    expect(emulators.ledger('xledger').filter((i) => i.extIdentifier === 'dup')).toHaveLength(4);
    const read = await post({
      query: `query($f: GLImportItem_Filter) { glImportItems(first: 10, filter: $f) { edges { node { dbId extIdentifier } } pageInfo { hasNextPage } } }`,
      variables: { f: { extIdentifier: 'dup' } },
    });
    expect(read.body.data.glImportItems.edges).toHaveLength(4);
    expect(read.body.data.glImportItems.pageInfo).toEqual({ hasNextPage: false });
  });
});

describe('Xledger emulator — invalid documents are refused as a GraphQL server refuses them', () => {
  it('a syntax error: 200 with errors and no data for application/json; 400 for application/graphql-response+json', async () => {
    // GraphQL-over-HTTP: well-formed request + application/json → 200; graphql-response+json → 4xx.
    const bad = { query: 'mutation { addGLImportItems(inputs: [ }' };
    const json = await post(bad);
    expect(json.status).toBe(200);
    expect(json.body.data).toBeUndefined();
    expect(json.body.errors?.[0]?.message).toMatch(/^Syntax Error/);
    expect((await post(bad, { accept: 'application/graphql-response+json' })).status).toBe(400);
    // grasp-labs glImportItemErrors/read asset as shipped (`glImportItemErrors()`): empty parentheses do not parse.
    const empty = await post({ query: '{ glImportItemErrors() { edges { node { dbId } } } }' });
    expect(empty.body.errors?.[0]?.message).toMatch(/Syntax Error: Expected Name, found "\)"/);
  });

  it('unknown fields, unknown input types and a missing transactionSource are validation errors; nothing is written', async () => {
    const unknownField = await post({
      query: '{ glImportItems(first: 1) { edges { node { noSuchField } } } }',
    });
    expect(unknownField.body.errors?.[0]?.message).toBe(
      'Cannot query field "noSuchField" on type "GLImportItem".',
    );
    const unknownType = await post({
      query: 'mutation($x: [X!]!) { addGLImportItems(inputs: $x) { edges { node { dbId } } } }',
      variables: { x: [] },
    });
    expect(unknownType.body.errors?.[0]?.message).toBe('Unknown type "X".');
    const noSource = await post({
      query:
        'mutation { addGLImportItems(inputs: [{ node: { postedDate: "2026-01-01", amount: "1.00" } }]) { edges { node { dbId } } } }',
    });
    expect(noSource.body.errors?.[0]?.message).toMatch(/transactionSource.*required type/);
    expect(emulators.ledger('xledger')).toHaveLength(0);
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('refuses more than 500 nodes in one mutation (help centre 8715787519634), storing none', async () => {
    const node = {
      transactionSource: { code: 'GL' },
      postedDate: '2026-01-01',
      account: { code: '6800' },
      amount: '0.00',
    };
    const res = await post({
      query:
        'mutation($i: [AddGLImportItemsInput!]!) { addGLImportItems(inputs: $i) { edges { node { dbId } } } }',
      variables: { i: Array.from({ length: 501 }, () => ({ node })) },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ addGLImportItems: null });
    expect(res.body.errors?.[0]).toMatchObject({
      path: ['addGLImportItems'],
      message: expect.stringMatching(/at most 500/),
    });
    expect(emulators.ledger('xledger')).toHaveLength(0);
  });

  it('answers "bad format for api token" to a bad token, and 400 to a body that is not a GraphQL request', async () => {
    const bad = await post({ query: '{ __typename }' }, { authorization: 'token nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.errors?.[0]?.message).toBe('bad format for api token');
    expect((await post('not json')).status).toBe(400);
  });
});
