import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';
import { rotateWebhookSecrets } from '../src/webhooks/rotate-secrets.js';
import { SecretBox, secretBoxFromEnv } from '../src/webhooks/secret-box.js';
import { type WebhookDelivery, type WebhookStore, webhookStoreFor } from '../src/webhooks/store.js';
import { rawQuery } from './raw-sql.helpers.js';

describe('SecretBox', () => {
  it('round-trips, hides the plaintext and refuses another key or a tampered ciphertext', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal('whsec_c2VjcmV0');
    expect(sealed).not.toContain('c2VjcmV0');
    expect(box.open(sealed)).toBe('whsec_c2VjcmV0');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/sealed under key/);
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
    expect(() => new SecretBox(randomBytes(16))).toThrow(RangeError);
  });
});

describe.each(DIALECTS)('webhook outbox and deliveries on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(async () => t?.drop());

  it('writes an outbox event with the terminal status (trigger), and only then', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const before = (await store.pendingOutbox(100)).length;
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id, { recordsTotal: 2 }));
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.reportProgress({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
    expect((await store.pendingOutbox(100)).length).toBe(before);
    await t.db.syncLogs.complete({
      id: syncLog.id,
      recordsSynced: 1,
      recordsFailed: 1,
      errorDetails: { code: 'RECORDS_REJECTED', message: 'one', category: 'validation', retryable: false },
    });
    const events = (await store.pendingOutbox(100)).filter((e) => e.syncLogId === syncLog.id);
    expect(events).toEqual([
      expect.objectContaining({
        organizationId: org.id,
        eventType: 'sync.partial',
        endpointId: null,
        payload: null,
      }),
    ]);
    expect(events[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('stores events and payloads as JSON structure a SQL reader can query, not as JSON strings', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const endpoint = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/json',
      events: ['sync.failed'],
      secretCiphertext: 'sealed',
      createdBy: null,
    });
    const kind = dialect === 'postgres' ? 'jsonb_typeof(events)' : 'json_type(events)';
    const first = dialect === 'postgres' ? 'events->>0' : "json_extract(events, '$[0]')";
    const rows = await rawQuery(
      t.db.raw,
      `SELECT ${kind} AS kind, ${first} AS first FROM webhook_endpoints WHERE id = ?`,
      [endpoint.id],
    );
    expect(rows).toEqual([{ kind: 'array', first: 'sync.failed' }]);
  });

  it('stores outbox and delivery payloads as JSON objects, never as JSON strings', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const endpoint = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/payload',
      events: ['sync.failed'],
      secretCiphertext: 'sealed',
      createdBy: null,
    });
    const payload = { type: 'webhook.test', data: { note: 'it\'s "quoted"', n: 2 } };
    const outboxId = await store.enqueue({
      organizationId: org.id,
      eventType: 'webhook.test',
      endpointId: endpoint.id,
      payload,
    });
    const [event] = (await store.pendingOutbox(1_000)).filter((e) => e.id === outboxId);
    if (!event) throw new Error('no outbox event');
    expect(event.payload).toEqual(payload);
    await store.fanOut(event, payload, new Date().toISOString());
    const kind = dialect === 'postgres' ? 'jsonb_typeof(payload)' : 'json_type(payload)';
    const field =
      dialect === 'postgres' ? "payload->'data'->>'note'" : "json_extract(payload, '$.data.note')";
    const valid = dialect === 'postgres' ? 'true' : 'json_valid(payload) = 1';
    const read = (table: string, column: string, id: string) =>
      rawQuery(
        t.db.raw,
        `SELECT ${kind} AS kind, ${field} AS note, ${valid} AS valid FROM ${table} WHERE ${column} = ?`,
        [id],
      );
    const expected = [{ kind: 'object', note: 'it\'s "quoted"', valid: dialect === 'postgres' ? true : 1 }];
    expect(await read('webhook_outbox', 'id', outboxId)).toEqual(expected);
    expect(await read('webhook_deliveries', 'outbox_id', outboxId)).toEqual(expected);
    const [delivery] = await store.listDeliveries(endpoint.id);
    expect(delivery?.payload).toEqual(payload);
    // Never run: the compiler refuses what the dialects would store differently (tsc checks tests).
    const refused = () => [
      // @ts-expect-error a bare string is not a JSON object
      store.enqueue({ organizationId: org.id, eventType: 'webhook.test', payload: 'text' }),
      // @ts-expect-error nor is an array
      store.fanOut(event, ['text'], '2020-01-01T00:00:00.000Z'),
    ];
    expect(refused).toBeTypeOf('function');
  });

  it('a key rotation re-seals every webhook secret; the old key opens them until then, not after', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const before = secretBoxFromEnv(oldKey, true);
    const endpoint = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/rotate',
      events: ['sync.failed'],
      secretCiphertext: before.seal('whsec_cm90YXRl'),
      createdBy: null,
    });
    // New key configured, old one still listed: what was sealed before still opens.
    const during = secretBoxFromEnv(newKey, true, oldKey);
    const sealedBefore = (await store.getEndpoint(endpoint.id))?.secretCiphertext as string;
    expect(during.open(sealedBefore)).toBe('whsec_cm90YXRl');
    expect(() => secretBoxFromEnv(newKey, true).open(sealedBefore)).toThrow(/not configured/);

    const report = await rotateWebhookSecrets(t.db, during);
    expect(report.resealed).toContain(endpoint.id);
    // (Other tests here store placeholder ciphertexts: those are reported as failed, by id only.)
    expect(report.failed.map((f) => f.endpointId)).not.toContain(endpoint.id);
    expect(JSON.stringify(report)).not.toContain('whsec_');
    const sealedAfter = (await store.getEndpoint(endpoint.id))?.secretCiphertext as string;
    expect(SecretBox.keyIdOf(sealedAfter)).toBe(during.keyId);
    // After the rotation the old key can be dropped: the new key alone opens the secret.
    expect(secretBoxFromEnv(newKey, true).open(sealedAfter)).toBe('whsec_cm90YXRl');
    expect((await rotateWebhookSecrets(t.db, during)).unchanged).toContain(endpoint.id);
  });

  it('fans out to subscribed endpoints once, leases due deliveries and logs every attempt', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const all = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/a',
      events: ['sync.failed', 'sync.partial'],
      secretCiphertext: 'sealed',
      createdBy: null,
      now: '2026-11-01T09:00:00.000Z',
    });
    await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/b',
      events: ['sync.succeeded'],
      secretCiphertext: 'sealed',
      createdBy: null,
      now: '2026-11-01T09:00:01.000Z',
    });
    expect((await store.listEndpoints(org.id)).map((e) => e.url)).toEqual([
      'http://127.0.0.1:1/a',
      'http://127.0.0.1:1/b',
    ]);
    const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id));
    await t.db.syncLogs.fail({
      id: syncLog.id,
      errorDetails: { code: 'X', message: 'down', category: 'unavailable', retryable: true },
    });
    const [event] = (await store.pendingOutbox(100)).filter((e) => e.syncLogId === syncLog.id);
    if (!event) throw new Error('no outbox event');
    const now = '2026-11-01T10:00:00.000Z';
    expect(await store.fanOut(event, { type: 'sync.failed' }, now)).toBe(1);
    // A second relay racing on the same event adds nothing.
    await store.fanOut(event, { type: 'sync.failed' }, now);
    expect((await store.pendingOutbox(100)).some((e) => e.id === event.id)).toBe(false);

    const claimed = await store.claimDue(now, 10, 30_000);
    const mine = claimed.filter((d) => d.endpointId === all.id);
    expect(mine).toHaveLength(1);
    expect(await store.claimDue(now, 10, 30_000)).toEqual([]); // leased
    const delivery = mine[0];
    if (!delivery) throw new Error('no delivery');
    expect(delivery).toMatchObject({
      eventType: 'sync.failed',
      status: 'pending',
      attempts: 0,
      payload: { type: 'sync.failed' },
    });

    await store.recordAttempt(
      delivery,
      { attemptedAt: now, statusCode: 500, error: 'HTTP 500', durationMs: 12 },
      { status: 'pending', nextAttemptAt: '2026-11-01T10:00:05.000Z' },
    );
    expect(await store.claimDue('2026-11-01T10:00:04.000Z', 10, 30_000)).toEqual([]);
    const [again] = await store.claimDue('2026-11-01T10:00:05.000Z', 10, 30_000);
    expect(again).toMatchObject({ id: delivery.id, attempts: 1, lastStatusCode: 500 });
    if (!again) throw new Error('not due');
    await store.recordAttempt(
      again,
      { attemptedAt: '2026-11-01T10:00:05.000Z', statusCode: 204, error: null, durationMs: 3 },
      { status: 'succeeded', nextAttemptAt: null },
    );
    const [logged] = await store.listDeliveries(all.id);
    expect(logged).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      completedAt: '2026-11-01T10:00:05.000Z',
    });
    expect(logged?.attemptLog.map((a) => [a.attempt, a.statusCode, a.nextRetryAt])).toEqual([
      [1, 500, '2026-11-01T10:00:05.000Z'],
      [2, 204, null],
    ]);

    await store.deleteEndpoint(all.id);
    expect(await store.getEndpoint(all.id)).toBeNull();
    expect(await store.listDeliveries(all.id)).toEqual([]);
  });

  it('lists each delivery with its own attempts, newest delivery first', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const endpoint = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/log',
      events: ['sync.failed'],
      secretCiphertext: 'sealed',
      createdBy: null,
    });
    const deliver = async (n: number, codes: number[]) => {
      const at = `2026-11-02T0${n}:00:00.000Z`;
      const id = await store.enqueue({
        organizationId: org.id,
        eventType: 'webhook.test',
        endpointId: endpoint.id,
        payload: { n },
        now: at,
      });
      const [event] = (await store.pendingOutbox(1_000)).filter((e) => e.id === id);
      if (!event) throw new Error('no event');
      await store.fanOut(event, { n }, at);
      const [delivery] = (await store.listDeliveries(endpoint.id)).filter(
        (d) => (d.payload as { n: number }).n === n,
      );
      if (!delivery) throw new Error('no delivery');
      let current: WebhookDelivery = delivery;
      for (const [i, code] of codes.entries()) {
        await store.recordAttempt(
          current,
          { attemptedAt: at, statusCode: code, error: null, durationMs: 1 + i },
          { status: code < 300 ? 'succeeded' : 'pending', nextAttemptAt: code < 300 ? null : at },
        );
        current = (await store.getDelivery(delivery.id)) ?? current;
      }
    };
    await deliver(1, [500, 204]);
    await deliver(2, [503]);
    await deliver(3, []);
    const log = await store.listDeliveries(endpoint.id);
    expect(
      log.map((d) => [
        (d.payload as { n: number }).n,
        d.status,
        d.attemptLog.map((a) => [a.attempt, a.statusCode]),
      ]),
    ).toEqual([
      [3, 'pending', []],
      [2, 'pending', [[1, 503]]],
      [
        1,
        'succeeded',
        [
          [1, 500],
          [2, 204],
        ],
      ],
    ]);
    expect((await store.listDeliveries(endpoint.id, 1)).map((d) => (d.payload as { n: number }).n)).toEqual([
      3,
    ]);
  });

  it('concurrent claimers never lease one delivery twice, nor more than their limit', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    for (let i = 0; i < 12; i += 1) {
      await store.createEndpoint({
        organizationId: org.id,
        url: `http://127.0.0.1:1/claim-${i}`,
        events: ['integration.health_changed'],
        secretCiphertext: 'sealed',
        createdBy: null,
      });
    }
    const outboxId = await store.enqueue({
      organizationId: org.id,
      eventType: 'integration.health_changed',
      payload: { healthy: false },
    });
    const [event] = (await store.pendingOutbox(1_000)).filter((e) => e.id === outboxId);
    if (!event) throw new Error('no outbox event');
    // Due long before every other test's deliveries, so only these twelve are claimable here.
    expect(await store.fanOut(event, { healthy: false }, '2020-01-01T00:00:00.000Z')).toBe(12);
    // Claimers on separate connections (separate pools on PostgreSQL), as separate workers race.
    const others = await Promise.all([t.openAnother(), t.openAnother()]);
    const stores = [store, ...others.map((db) => webhookStoreFor(db))];
    const claims = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        (stores[i % stores.length] as WebhookStore).claimDue('2020-01-01T00:00:01.000Z', 2, 30_000),
      ),
    );
    // A claimer skips the rows another holds (PostgreSQL) or runs after it (SQLite's one writer):
    // each takes at most its limit, no delivery is leased twice, and a later claim takes the rest.
    for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(2);
    const rest = await store.claimDue('2020-01-01T00:00:02.000Z', 20, 30_000);
    const ids = [...claims.flat(), ...rest].map((d) => d.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(await store.claimDue('2020-01-01T00:00:03.000Z', 20, 30_000)).toEqual([]);
  });

  it('queues a test event for one endpoint only', async () => {
    const org = await givenOrganization(t.db);
    const store = webhookStoreFor(t.db);
    const e = await store.createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:1/t',
      events: ['sync.failed'],
      secretCiphertext: 'sealed',
      createdBy: null,
    });
    await store.enqueue({
      organizationId: org.id,
      eventType: 'webhook.test',
      endpointId: e.id,
      payload: { hello: 1 },
    });
    const [event] = (await store.pendingOutbox(100)).filter((o) => o.endpointId === e.id);
    expect(event).toMatchObject({ eventType: 'webhook.test', payload: { hello: 1 } });
    if (!event?.payload) throw new Error('no test event');
    expect(await store.fanOut(event, event.payload, new Date().toISOString())).toBe(1);
  });
});
