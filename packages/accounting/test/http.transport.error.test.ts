import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHttp } from '../src/index.js';
import { failure } from './support/fixtures.js';

// A server that reads the request and never answers.
let silent: Server;
let silentUrl: string;
beforeAll(async () => {
  silent = createServer((req) => req.resume());
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
});

const transport = { fetch: globalThis.fetch, timeoutMs: 50 };

describe('sendHttp — transport failures are typed', () => {
  it('a write that times out is retryable and its outcome unknown', async () => {
    const error = await failure(
      sendHttp({ url: silentUrl, method: 'POST', headers: {}, body: '{}', write: true }, transport),
    );
    expect(error.details).toMatchObject({
      code: 'TIMEOUT',
      category: 'unavailable',
      retryable: true,
      outcomeUnknown: true,
    });
  });

  it('a read that times out is retryable with a known outcome', async () => {
    const error = await failure(
      sendHttp({ url: silentUrl, method: 'GET', headers: {}, write: false }, transport),
    );
    expect(error.details).toMatchObject({ code: 'TIMEOUT', outcomeUnknown: false });
  });

  it('the caller’s abort stops the request and is not retried', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const error = await failure(
      sendHttp(
        { url: silentUrl, method: 'POST', headers: {}, body: '{}', write: true },
        { ...transport, timeoutMs: 5_000 },
        controller.signal,
      ),
    );
    expect(error.details).toMatchObject({ code: 'ABORTED', retryable: false, outcomeUnknown: true });
  });

  it('a refused connection never reached the server: nothing can have been written', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    // A long timeout: the refusal must win even if a loaded machine stalls this process for more
    // than the 50 ms the silent-server tests use (the timer would fire first, as TIMEOUT).
    const error = await failure(
      sendHttp(
        { url, method: 'POST', headers: {}, body: '{}', write: true },
        { ...transport, timeoutMs: 5_000 },
      ),
    );
    expect(error.details).toMatchObject({
      code: 'NETWORK_ERROR',
      providerCode: 'ECONNREFUSED',
      retryable: true,
      outcomeUnknown: false,
    });
  });
});

describe('sendHttp — a sync-long signal', () => {
  it('keeps no listener per request on it, and still cancels the request in flight', async () => {
    const quick: typeof fetch = async () => new Response('{}', { status: 200 });
    const sync = new AbortController();
    for (let i = 0; i < 200; i += 1) {
      await sendHttp(
        { url: 'http://ledger.invalid/', method: 'GET', headers: {}, write: false },
        { fetch: quick, timeoutMs: 30_000 },
        sync.signal,
      );
    }
    // One per request would have been 200 (AbortSignal.any kept a dependent per request).
    expect(EventEmitter.getEventListeners(sync.signal, 'abort')).toHaveLength(0);
    const inFlight = sendHttp(
      { url: silentUrl, method: 'POST', headers: {}, body: '{}', write: true },
      { fetch: globalThis.fetch, timeoutMs: 30_000 },
      sync.signal,
    );
    setImmediate(() => sync.abort());
    const error = await failure(inFlight);
    expect(error.details).toMatchObject({ outcomeUnknown: true });
    expect(EventEmitter.getEventListeners(sync.signal, 'abort')).toHaveLength(0);
  });
});
