import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_DYNAMICS_JOURNAL_ID, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import {
  createAdapter,
  DynamicsAdapter,
  documentNumberFor,
  externalDocumentNumberFor,
} from '../src/index.js';
import { batchContext, decimal, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.close());
beforeEach(() => emulators.reset());

const adapter = (extra = {}) => createAdapter('dynamics', emulators.connections.dynamics, fastOptions(extra));

describe('DynamicsAdapter — happy batch', () => {
  it('creates one posted journal line per record with its amount, account and keys', async () => {
    const records = makeRecords(12);
    const context = batchContext({ batchNumber: 3 });
    const result = await adapter().pushBatch(records, context);

    expect(result.rejected).toEqual([]);
    expect(result.externalReferenceId).toBe(DEMO_DYNAMICS_JOURNAL_ID);
    const ledger = emulators.ledger('dynamics');
    expect(ledger).toHaveLength(12);
    for (const record of records) {
      const line = ledger.find((l) => l.externalDocumentNumber === externalDocumentNumberFor(record.id));
      expect(line).toMatchObject({
        journalId: DEMO_DYNAMICS_JOURNAL_ID,
        accountType: 'G/L Account',
        accountNumber: '6800',
        postingDate: '2024-05-15',
        amount: decimal(record.amountMinor),
        description: record.description,
        documentNumber: documentNumberFor(context.syncLogId, 3),
        posted: true,
      });
      expect(result.accepted.find((a) => a.recordId === record.id)?.externalId).toBe(line?.id);
    }
    // One $batch, one post action.
    expect(emulators.stats('dynamics')).toMatchObject({ requests: 2, writes: 2, tokenRequests: 1 });
  });

  it('carries a UUID record id without its hyphens (Code[35]) and maps it back', async () => {
    const id = '0b6f3c8e-5d2a-4f1b-9c7e-8a9b0c1d2e3f';
    const [record] = makeRecords(1);
    const result = await adapter().pushBatch(
      [{ ...(record as NonNullable<typeof record>), id }],
      batchContext(),
    );
    expect(result.accepted[0]?.recordId).toBe(id);
    expect(emulators.ledger('dynamics')[0]?.externalDocumentNumber).toBe('0B6F3C8E5D2A4F1B9C7E8A9B0C1D2E3F');
  });

  it('splits a large batch into $batch requests of at most 100 operations', async () => {
    const records = makeRecords(250);
    const result = await adapter().pushBatch(records, batchContext());
    expect(result.accepted).toHaveLength(250);
    expect(emulators.ledger('dynamics').filter((l) => l.posted)).toHaveLength(250);
    // 3 $batch (100 + 100 + 50) and 1 post action.
    expect(emulators.stats('dynamics')).toMatchObject({ writes: 4, itemsPosted: 250 });
  });

  it('refuses more than 100 operations per $batch in its options', () => {
    expect(() => new DynamicsAdapter(emulators.connections.dynamics, { itemsPerRequest: 101 })).toThrow(
      RangeError,
    );
  });

  it('passes the connection check', async () => {
    await expect(adapter().checkConnection()).resolves.toEqual({ ok: true });
  });
});

describe('DynamicsAdapter — a plain re-push of records already in the ledger', () => {
  it('returns them as accepted and alreadyPosted with their line id, creating nothing', async () => {
    const records = makeRecords(6);
    const first = await adapter().pushBatch(records, batchContext());
    const again = await adapter().pushBatch(
      [...records, ...makeRecords(1, 'fresh')],
      batchContext({ batchNumber: 2 }),
    );

    expect(again.rejected).toEqual([]);
    expect(again.accepted.filter((a) => a.recordId.startsWith('rec-'))).toEqual(
      first.accepted.map((a) => ({ ...a, alreadyPosted: true })),
    );
    expect(again.accepted.find((a) => a.recordId === 'fresh-0001')?.alreadyPosted).toBeUndefined();
    expect(emulators.ledger('dynamics')).toHaveLength(7);
  });

  it('finds lines a crashed push created but never posted, and posts them', async () => {
    const records = makeRecords(3);
    const connection = emulators.connections.dynamics;
    // A push that died after creating its lines: create them directly, no post action.
    const token = await fetch(connection.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: connection.clientId,
        client_secret: connection.clientSecret,
        scope: 'https://api.businesscentral.dynamics.com/.default',
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    for (const record of records) {
      const response = await fetch(
        `${connection.baseUrl}/api/v2.0/companies(${connection.companyId})/journals(${connection.journalId})/journalLines`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            accountNumber: record.account,
            postingDate: record.bookingDate,
            externalDocumentNumber: externalDocumentNumberFor(record.id),
            amount: decimal(record.amountMinor),
          }),
        },
      );
      expect(response.status).toBe(201);
    }
    expect(emulators.ledger('dynamics').some((l) => l.posted)).toBe(false);

    const result = await adapter().pushBatch(records, batchContext({ readBackFirst: true }));
    expect(result.accepted.every((a) => a.alreadyPosted === true)).toBe(true);
    expect(emulators.ledger('dynamics')).toHaveLength(3);
    expect(emulators.ledger('dynamics').every((l) => l.posted)).toBe(true);
  });
});
