import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKeyFilter, type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { createAdapter } from '../src/index.js';
import { batchContext, fastOptions, makeRecords } from './support/fixtures.js';

let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators({ faults: { xledger: { throttle: 1 } }, maxBodyBytes: 2_000 });
});
afterAll(() => emulators.close());

const control = (path: string, init?: RequestInit) => fetch(`${emulators.url}/_control${path}`, init);

describe('emulators — control API over HTTP', () => {
  it('answers health', async () => {
    const response = await control('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, systems: ['xledger', 'dynamics'] });
  });

  it('applies start-up faults and shows what is left of a counted fault', async () => {
    expect(await (await control('/xledger/faults')).json()).toEqual({ throttle: 1 });
    await createAdapter('xledger', emulators.connections.xledger, fastOptions()).pushBatch(
      makeRecords(1),
      batchContext(),
    );
    expect(await (await control('/xledger/faults')).json()).toEqual({ throttle: 0 });
    expect(await (await control('/xledger/stats')).json()).toMatchObject({ throttled: 1, itemsPosted: 2 });
  });

  it('replaces faults with PUT and refuses an unknown or malformed fault with 400', async () => {
    const put = (body: unknown) =>
      control('/dynamics/faults', {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
    const ok = await put({ serverErrors: 2, latencyMs: 0 });
    expect(ok.status).toBe(200);
    expect(emulators.faults('dynamics')).toEqual({ serverErrors: 2, latencyMs: 0 });
    expect((await put({ explode: true })).status).toBe(400);
    expect((await put({ throttle: -1 })).status).toBe(400);
    expect(emulators.faults('dynamics')).toEqual({ serverErrors: 2, latencyMs: 0 });
  });

  it('shows each ledger and empties everything on reset', async () => {
    const ledger = (await (await control('/xledger/ledger')).json()) as { entries: unknown[] };
    expect(ledger).toMatchObject({ system: 'xledger', count: 2 });
    expect(ledger.entries[0]).toMatchObject({ extIdentifier: 'rec-0001', amount: '100.01' });
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect(await (await control('/xledger/ledger')).json()).toMatchObject({ count: 0, entries: [] });
    expect(emulators.faults('dynamics')).toEqual({});
    expect(emulators.stats('xledger').requests).toBe(0);
  });

  it('revokes Dynamics tokens on request', async () => {
    const adapter = createAdapter('dynamics', emulators.connections.dynamics, fastOptions());
    await adapter.pushBatch(makeRecords(1), batchContext());
    expect((await control('/dynamics/revoke-tokens', { method: 'POST' })).status).toBe(200);
    await adapter.pushBatch(makeRecords(1, 'again'), batchContext());
    expect(emulators.stats('dynamics').tokenRequests).toBe(2);
  });

  it('refuses a request body over the size limit with 413, writing nothing', async () => {
    emulators.reset();
    const response = await fetch(emulators.connections.xledger.baseUrl, {
      method: 'POST',
      headers: { authorization: 'token demo-xledger-token', 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { addGLImportItems }',
        variables: { padding: 'x'.repeat(5_000) },
      }),
    });
    expect(response.status).toBe(413);
    expect(emulators.ledger('xledger')).toHaveLength(0);
  });

  it('maps a 413 to a non-retryable configuration error in the adapter', async () => {
    const error = await createAdapter('xledger', emulators.connections.xledger, fastOptions())
      .pushBatch(makeRecords(40), batchContext())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      details: { code: 'PAYLOAD_TOO_LARGE', category: 'configuration', retryable: false },
    });
  });

  it('answers 400, not 500, for a URL that is not validly percent-encoded', async () => {
    expect((await fetch(`${emulators.url}/dynamics/api/v2.0/companies(%E0%A4%A)/journals(x)`)).status).toBe(
      400,
    );
  });

  it('answers 404 for a path it does not serve', async () => {
    expect((await fetch(`${emulators.url}/nowhere`)).status).toBe(404);
  });
});

describe('parseKeyFilter', () => {
  it('reads eq/or chains and in-lists, with doubled quotes', () => {
    expect(parseKeyFilter("externalDocumentNumber eq 'A' or externalDocumentNumber eq 'B''C'")).toEqual([
      'A',
      "B'C",
    ]);
    expect(parseKeyFilter("externalDocumentNumber in ('A', 'B')")).toEqual(['A', 'B']);
  });

  it('refuses anything outside the subset', () => {
    expect(parseKeyFilter('amount gt 5')).toBeNull();
    expect(parseKeyFilter("externalDocumentNumber eq 'A' and amount gt 5")).toBeNull();
    expect(parseKeyFilter('')).toBeNull();
  });
});
