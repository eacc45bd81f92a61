import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter, externalDocumentNumberFor } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const connection = () => emulators.connections.dynamics;

function expectEachOncePosted(recordIds: readonly string[]) {
  const ledger = emulators.ledger('dynamics');
  expect(ledger.map((l) => l.externalDocumentNumber).sort()).toEqual(
    recordIds.map(externalDocumentNumberFor).sort(),
  );
  expect(ledger.every((l) => l.posted)).toBe(true);
}

describe('DynamicsAdapter — never posts twice when an outcome is unknown', () => {
  it('connection dropped after the $batch was applied: reads back, re-creates nothing, posts once', async () => {
    emulators.setFaults('dynamics', { dropAfterWrite: 1 });
    const records = makeRecords(30);
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((a) => a.recordId)).toEqual(records.map((r) => r.id));
    expectEachOncePosted(records.map((r) => r.id));
    expect(emulators.stats('dynamics')).toMatchObject({ dropped: 1, duplicatesRefused: 0 });
    const ids = new Map(emulators.ledger('dynamics').map((l) => [l.externalDocumentNumber, l.id]));
    for (const a of result.accepted)
      expect(a.externalId).toBe(ids.get(externalDocumentNumberFor(a.recordId)));
  });

  it('connection dropped after the post action too: posts again harmlessly, all accepted', async () => {
    emulators.setFaults('dynamics', { dropAfterWrite: 2 });
    const records = makeRecords(5);
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(5);
    expectEachOncePosted(records.map((r) => r.id));
    expect(emulators.stats('dynamics')).toMatchObject({ dropped: 2, duplicatesRefused: 0 });
  });

  it('a drop in the middle of a split batch re-sends only the operations not applied', async () => {
    const records = makeRecords(230);
    let batches = 0;
    const fetchSpy: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/$batch') && ++batches === 2)
        emulators.setFaults('dynamics', { dropAfterWrite: 1 });
      return fetch(input, init);
    };
    const result = await createAdapter('dynamics', connection(), {
      ...fastOptions(),
      fetch: fetchSpy,
    }).pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(230);
    expect(result.accepted.filter((a) => a.alreadyPosted)).toHaveLength(100);
    expectEachOncePosted(records.map((r) => r.id));
    expect(emulators.stats('dynamics').duplicatesRefused).toBe(0);
  });

  it('5xx on the $batch: reads back before re-sending', async () => {
    emulators.setFaults('dynamics', { serverErrors: 1 });
    const records = makeRecords(4);
    const result = await createAdapter('dynamics', connection(), fastOptions()).pushBatch(
      records,
      batchContext(),
    );
    expect(result.accepted).toHaveLength(4);
    expectEachOncePosted(records.map((r) => r.id));
    // $batch (503) → read-back GET → $batch → post
    expect(emulators.stats('dynamics')).toMatchObject({ requests: 4, writes: 3 });
  });
});

describe('Business Central emulator — the ledger refuses a second posting by itself', () => {
  it('answers Internal_EntityWithSameKeyExists inside a $batch and keeps one line', async () => {
    const c = connection();
    const token = await fetch(c.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: c.clientId,
        client_secret: c.clientSecret,
        scope: 'https://api.businesscentral.dynamics.com/.default',
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const op = {
      method: 'POST',
      url: `companies(${c.companyId})/journals(${c.journalId})/journalLines`,
      body: {
        accountNumber: '6800',
        postingDate: '2024-05-01',
        externalDocumentNumber: 'DUP-1',
        amount: '1.00',
      },
    };
    const response = await fetch(`${c.baseUrl}/api/v2.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { ...op, id: '1' },
          { ...op, id: '2' },
        ],
      }),
    }).then(
      (r) =>
        r.json() as Promise<{
          responses: { id: string; status: number; body: { error?: { code: string } } }[];
        }>,
    );
    expect(response.responses.map((r) => r.status)).toEqual([201, 409]);
    expect(response.responses[1]?.body.error?.code).toBe('Internal_EntityWithSameKeyExists');
    expect(emulators.ledger('dynamics')).toHaveLength(1);
  });
});
