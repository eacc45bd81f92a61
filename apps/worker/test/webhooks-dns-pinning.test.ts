import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { SecretBox, webhookStoreFor } from '@meander/db';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { pinnedPost, type WebhookSender } from '../src/webhooks/pinned-request.js';
import { WebhookRelay, type WebhookRelayOptions } from '../src/webhooks/relay.js';

/** A throwaway self-signed certificate for hooks.rebind.test (test only: nothing trusts it). */
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWVbYZRzrfGuuKLEe
c3z/ULGMU44uVeUBZbc6+LnyWWyhRANCAASnkr9ptu99E/ICIbDER6VpPybrdaQ/
HV1kG02T04Xol7UFEe857P7pCnpaUQNpsnHrGydIh6unbTD4LHaGnVxk
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBrTCCAVOgAwIBAgIUHn2dmUpX4I5ItZVDs2m7yZHLjcAwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRaG9va3MucmViaW5kLnRlc3QwIBcNMjYxMTI2MTQ1NTE1WhgP
MjEyNjExMDIxNDU1MTVaMBwxGjAYBgNVBAMMEWhvb2tzLnJlYmluZC50ZXN0MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEp5K/abbvfRPyAiGwxEelaT8m63WkPx1d
ZBtNk9OF6Je1BRHvOez+6Qp6WlEDabJx6xsnSIerp20w+Cx2hp1cZKNxMG8wHQYD
VR0OBBYEFPlCoWMCoqZkQunTP5y5wFFeHP0PMB8GA1UdIwQYMBaAFPlCoWMCoqZk
QunTP5y5wFFeHP0PMA8GA1UdEwEB/wQFMAMBAf8wHAYDVR0RBBUwE4IRaG9va3Mu
cmViaW5kLnRlc3QwCgYIKoZIzj0EAwIDSAAwRQIhAOXt6fdnlT26YIHyeJe5IOE2
PW7t9EhV43xKBZjPpSUtAiB2XhSNXLN3/6L7b6wnj7Ebf5DIfYsASZLBxWhtax+q
5g==
-----END CERTIFICATE-----`;

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

  it('keeps TLS on the hostname under pinning: SNI names it and the certificate is verified', async () => {
    const serverNames: string[] = [];
    const context = createSecureContext({ key: TLS_KEY, cert: TLS_CERT });
    let requests = 0;
    const tls = createTlsServer(
      {
        key: TLS_KEY,
        cert: TLS_CERT,
        SNICallback: (name, callback) => {
          serverNames.push(name);
          callback(null, context);
        },
      },
      (_req, res) => {
        requests += 1;
        res.writeHead(204).end();
      },
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    const { port } = tls.address() as AddressInfo;
    try {
      const delivery = await deliverOnce(`https://hooks.rebind.test:${port}/hooks`, {
        allowedHosts: ['hooks.rebind.test'],
        resolve: async () => ['127.0.0.1'],
        maxAttempts: 1,
      });
      // Connected to the pinned address, asked for the URL's hostname, and refused a certificate
      // no authority signed: verification was not switched off to make pinning work.
      expect(serverNames).toEqual(['hooks.rebind.test']);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(delivery.lastError).toMatch(/self[- ]signed certificate/);
      expect(requests).toBe(0);
    } finally {
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });
});
