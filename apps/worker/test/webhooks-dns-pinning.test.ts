import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretBox, webhookStoreFor } from '@meander/db';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { pinnedPost, type WebhookSender } from '../src/webhooks/pinned-request.js';
import { WebhookRelay, type WebhookRelayOptions } from '../src/webhooks/relay.js';

/** A local receiver answering `status` (with `headers`), recording what reached it. */
async function receiver(status = 204, headers: Record<string, string> = {}) {
  const received: { headers: IncomingHttpHeaders; url: string }[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ headers: req.headers, url: req.url ?? '' });
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(DIALECTS)('webhook connections go only to the address the guard checked, on %s', (dialect) => {
  let t: TestDatabase;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** One test event to `url`, sent by one relay pass; answers the delivery as recorded. */
  async function deliverOnce(url: string, options: Partial<WebhookRelayOptions>) {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const endpoint = await store.createEndpoint({
      organizationId: org.id,
      url,
      events: ['sync.succeeded'],
      secretCiphertext: box.seal(`whsec_${randomBytes(24).toString('base64')}`),
      createdBy: null,
    });
    await store.enqueue({
      organizationId: org.id,
      eventType: 'webhook.test',
      endpointId: endpoint.id,
      payload: { type: 'webhook.test', timestamp: new Date().toISOString(), data: {} },
    });
    const relay = new WebhookRelay({ db: t.db, box, logger: silentLogger, timeoutMs: 2_000, ...options });
    await relay.tick();
    const [delivery] = await store.listDeliveries(endpoint.id);
    if (!delivery) throw new Error('no delivery was made');
    return delivery;
  }

  it('connects to the address it checked even when a second lookup would answer another', async () => {
    const hook = await receiver();
    try {
      const answers: string[][] = [];
      // A rebinding DNS server: the check gets the receiver, any later lookup an unroutable address.
      const resolve = async (host: string) => {
        const answer = answers.length === 0 ? ['127.0.0.1'] : ['10.255.255.1'];
        answers.push([host, ...answer]);
        return answer;
      };
      const delivery = await deliverOnce(`http://hooks.rebind.test:${hook.port}/hooks`, {
        allowedHosts: ['hooks.rebind.test'],
        resolve,
      });
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 204 });
      expect(answers).toEqual([['hooks.rebind.test', '127.0.0.1']]);
      expect(hook.received).toHaveLength(1);
      // The request still names the endpoint's host (Host, and SNI over TLS), not the address.
      expect(hook.received[0]?.headers.host).toBe(`hooks.rebind.test:${hook.port}`);
      expect(hook.received[0]?.url).toBe('/hooks');
    } finally {
      await hook.close();
    }
  });

  it('refuses a host that resolves to a private address without opening a connection', async () => {
    const hook = await receiver();
    try {
      let sent = 0;
      const send: WebhookSender = (request) => {
        sent += 1;
        return pinnedPost(request);
      };
      const delivery = await deliverOnce(`http://internal.rebind.test:${hook.port}/hooks`, {
        resolve: async () => ['127.0.0.1'],
        send,
      });
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toMatch(/resolves to the private address 127\.0\.0\.1/);
      expect(sent).toBe(0);
      expect(hook.received).toHaveLength(0);
    } finally {
      await hook.close();
    }
  });

  it('records a redirect as a failed attempt and does not follow it', async () => {
    const elsewhere = await receiver();
    const hook = await receiver(302, { location: `http://127.0.0.1:${elsewhere.port}/internal` });
    try {
      const delivery = await deliverOnce(`http://127.0.0.1:${hook.port}/hooks`, {
        allowedHosts: ['127.0.0.1'],
        maxAttempts: 1,
      });
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: 302,
        lastError: 'HTTP 302',
      });
      expect(delivery.attemptLog.map((a) => [a.statusCode, a.error])).toEqual([[302, 'HTTP 302']]);
      expect(hook.received).toHaveLength(1);
      expect(elsewhere.received).toHaveLength(0);
    } finally {
      await hook.close();
      await elsewhere.close();
    }
  });

  it('keeps the timeout: no status line within the limit is a failed attempt', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const delivery = await deliverOnce(`http://127.0.0.1:${port}/hooks`, {
        allowedHosts: ['127.0.0.1'],
        maxAttempts: 1,
        timeoutMs: 300,
      });
      expect(delivery).toMatchObject({ status: 'failed', lastError: 'No answer within 300 ms' });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
