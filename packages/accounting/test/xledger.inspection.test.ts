import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_XLEDGER_POSTING_MODEL, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { fastOptions } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (settings: Record<string, string> = {}) =>
  createAdapter(
    'xledger',
    { ...emulators.connections.xledger, ...DEMO_XLEDGER_POSTING_MODEL, ...settings },
    fastOptions(),
  );

// biome-ignore lint/suspicious/noExplicitAny: the tests walk untyped GraphQL answers
type Json = any;
async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const res = await fetch(emulators.connections.xledger.baseUrl, {
    method: 'POST',
    headers: { authorization: 'token demo-xledger-token', 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Json; errors?: Json[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe('Xledger emulator — the master data the posting model names', () => {
  it('tax rules are object values of the kind TAX_RULE (go-xledger tax_rules_test.go: objectKinds → objectValues(filter: {objectKindDbId}))', async () => {
    const kinds = await graphql('{ objectKinds(first: 500) { edges { cursor node { dbId name } } } }');
    const taxRule = kinds.objectKinds.edges.find((e: Json) => e.node.name === 'TAX_RULE').node.dbId;
    const values = await graphql(
      'query($id: Int64) { objectValues(filter: {objectKindDbId: $id}, first: 500) { edges { node { code description } } } }',
      { id: taxRule },
    );
    expect(values.objectValues.edges.map((e: Json) => e.node.code)).toEqual(['1', '11', '13', '0', '2']);
  });

  it('employees E001–E010 and projects P100, P200 (grasp-labs employees/read and projects/read: dbId, code, description)', async () => {
    const data = await graphql(
      '{ employees(first: 1000) { edges { node { dbId code description } } } projects(first: 1000) { edges { node { code } } } }',
    );
    expect(data.employees.edges.map((e: Json) => e.node.code)).toEqual([
      'E001',
      'E002',
      'E003',
      'E004',
      'E005',
      'E006',
      'E007',
      'E008',
      'E009',
      'E010',
    ]);
    expect(data.projects.edges.map((e: Json) => e.node.code)).toEqual(['P100', 'P200']);
  });

  it('departments SALES and OPS are the values of GL object 1 (I: the demo entity keeps departments there)', async () => {
    const data = await graphql(
      '{ objectValues(first: 1000, filter: {code_in: ["SALES", "OPS", "HR"]}) { edges { node { code } } } }',
    );
    expect(data.objectValues.edges.map((e: Json) => e.node.code)).toEqual(['SALES', 'OPS']);
  });
});

describe('XledgerAdapter.inspectConnection — the posting model', () => {
  it('passes with the demo posting model: tax rules, dimensions and employees named', async () => {
    const report = await adapter().inspectConnection();
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['credentials', true],
      ['contra_account', true],
      ['vat_codes', true],
      ['dimensions', true],
      ['employees', true],
      ['posting_settings', true],
    ]);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'vat_codes')?.message).toBe(
      'Tax rules HIGH → 1, MEDIUM → 11, LOW → 13, ZERO → 0, EXEMPT → 0 exist',
    );
    expect(emulators.stats('xledger').writes).toBe(0);
  });

  it('names every mapped tax rule Xledger does not have, and the setting to correct', async () => {
    const report = await adapter({ vatCodes: 'HIGH=1,MEDIUM=15,LOW=99' }).inspectConnection();
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'vat_codes')).toEqual({
      name: 'vat_codes',
      ok: false,
      message:
        'No tax rule 15 (MEDIUM), 99 (LOW) in Xledger: correct the connection setting vatCodes or create the tax rules',
    });
  });

  it('with employeeCredit balancing_account, no employee check is made', async () => {
    const report = await adapter({ employeeCredit: 'balancing_account' }).inspectConnection();
    expect(report.checks.map((c) => c.name)).not.toContain('employees');
    expect(report.ok).toBe(true);
  });
});
