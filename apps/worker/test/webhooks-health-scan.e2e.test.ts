import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEmulators } from '@meander/accounting/emulators';
import {
  type HealthChangedData,
  healthAnnouncementsFor,
  SecretBox,
  type WebhookPayload,
  webhookStoreFor,
} from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkerEnv } from '../src/env.js';
import { silentLogger } from '../src/logger.js';
import { WebhookRelay } from '../src/webhooks/relay.js';
import { emulators, eventually, givenConnectedOrganization, PERIOD } from './fixtures.js';

const HOUR = 3_600_000;
/** A nightly schedule; its last success at T0 + 5 min. */
const T0 = Date.parse('2026-11-20T02:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe.each(DIALECTS)('health changes made by time alone on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  const box = new SecretBox(randomBytes(32));
  const bodies: { body: string; headers: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      });
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await emu?.close();
    await t?.drop();
  });

  async function finishedSync(organizationId: string, startMs: number, endMs: number): Promise<string> {
    const { syncLog } = await t.db.syncLogs.create(
      {
        organizationId,
        accountingSystem: 'xledger',
        syncType: 'manual',
        triggeredBy: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f',
        recordsTotal: 1,
        ...PERIOD,
      },
      { now: at(startMs) },
    );
    await t.db.syncLogs.start(syncLog.id, { now: at(startMs) });
    await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 }, { now: at(endMs) });
    return syncLog.id;
  }

  it('announces delayed, then failing, once each, and the success that ends it once, with its sync', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 1, {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const { port } = server.address() as AddressInfo;
    const endpoint = await webhookStoreFor(t.db).createEndpoint({
      organizationId: org.id,
      url: `http://127.0.0.1:${port}/hooks`,
      events: ['integration.health_changed'],
      secretCiphertext: box.seal(secret),
      createdBy: null,
    });
    let clock = T0;
    const relayOn = () =>
      new WebhookRelay({
        db: t.db,
        box,
        logger: silentLogger,
        allowedHosts: ['127.0.0.1'],
        now: () => new Date(clock),
      });
    const relay = relayOn();

    await finishedSync(org.id, 0, 5 * 60_000);
    clock = T0 + 10 * 60_000;
    // The sync's event is still in the outbox: the scan leaves the organization to it.
    expect(await relay.scanHealth()).toBe(0);
    await relay.tick(); // the sync did not change the health (healthy before and after)
    clock = T0 + 10 * HOUR;
    expect(await relay.scanHealth()).toBe(0);

    // One interval (24 h) and the 15-minute grace after the success, nothing ran: delayed.
    clock = T0 + 25 * HOUR;
    expect(await relay.scanHealth()).toBe(1);
    expect(await relay.scanHealth()).toBe(0);
    clock = T0 + 26 * HOUR;
    expect(await relay.scanHealth()).toBe(0);
    // A restarted worker reads what was announced from the database, not from memory.
    expect(await relayOn().scanHealth()).toBe(0);

    // Two workers scanning at once when the integration turns failing announce it once.
    clock = T0 + 49 * HOUR;
    const both = await Promise.all([relayOn().scanHealth(), relayOn().scanHealth(), relay.scanHealth()]);
    expect(both.reduce((a, b) => a + b, 0)).toBe(1);

    // A success: its own relay pass announces it (with its id); the scan does not repeat it.
    const success = await finishedSync(org.id, 50 * HOUR, 50 * HOUR + 5 * 60_000);
    clock = T0 + 50 * HOUR + 10 * 60_000;
    expect(await relay.scanHealth()).toBe(0);
    await relay.tick();
    expect(await relay.scanHealth()).toBe(0);
    await relay.tick();
    expect(await relay.scanHealth()).toBe(0);

    const deliveries = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
    const announced = deliveries
      .map((d) => d.payload as WebhookPayload<HealthChangedData>)
      .sort((a, b) => a.timestamp.localeCompare(b.timestamp))
      .map((p) => [p.data.previousState, p.data.state, p.data.syncLogId, p.timestamp]);
    expect(announced).toEqual([
      ['healthy', 'delayed', null, at(25 * HOUR)],
      ['delayed', 'failing', null, at(49 * HOUR)],
      ['failing', 'healthy', success, at(50 * HOUR + 5 * 60_000)],
    ]);
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);

    // What the receiver got is signed (at the injected clock's time, so checked without the
    // library's five-minute tolerance), and a scan event says why.
    for (const b of bodies) {
      const signedAt = new Date(Number(b.headers['webhook-timestamp']) * 1000);
      expect(new Webhook(secret).sign(String(b.headers['webhook-id']), signedAt, b.body)).toBe(
        b.headers['webhook-signature'],
      );
    }
    const delayed = bodies
      .map((b) => JSON.parse(b.body) as WebhookPayload<HealthChangedData>)
      .find((p) => p.data.state === 'delayed');
    expect(delayed?.data).toMatchObject({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncLogId: null,
      reasons: [expect.stringContaining('more than one schedule interval')],
    });
  });

  it('scans nothing for an organization without a subscribed endpoint', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 1, {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    await webhookStoreFor(t.db).createEndpoint({
      organizationId: org.id,
      url: 'http://127.0.0.1:9/hooks',
      events: ['sync.succeeded'],
      secretCiphertext: box.seal(`whsec_${randomBytes(24).toString('base64')}`),
      createdBy: null,
    });
    let clock = T0;
    const relay = new WebhookRelay({ db: t.db, box, logger: silentLogger, now: () => new Date(clock) });
    await finishedSync(org.id, 0, 5 * 60_000);
    await relay.tick();
    clock = T0 + 30 * HOUR;
    await relay.scanHealth();
    expect(await healthAnnouncementsFor(t.db).lastAnnounced(org.id, 'xledger')).toBeNull();
  });

  it('runs the scan on its own while the relay runs, and delivers what it announces', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 1, {
      schedule: { cron: '0 2 * * *', timezone: 'UTC' },
    });
    const { port } = server.address() as AddressInfo;
    const endpoint = await webhookStoreFor(t.db).createEndpoint({
      organizationId: org.id,
      url: `http://127.0.0.1:${port}/scan`,
      events: ['integration.health_changed'],
      secretCiphertext: box.seal(`whsec_${randomBytes(24).toString('base64')}`),
      createdBy: null,
    });
    await finishedSync(org.id, 0, 5 * 60_000);
    const relay = new WebhookRelay({
      db: t.db,
      box,
      logger: silentLogger,
      allowedHosts: ['127.0.0.1'],
      pollMs: 50,
      healthScanMs: 50,
      now: () => new Date(T0 + 25 * HOUR),
    });
    await relay.start();
    try {
      const delivery = await eventually(async () => {
        const [first] = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
        return first?.status === 'succeeded' ? first : null;
      }, 10_000);
      expect((delivery.payload as WebhookPayload<HealthChangedData>).data).toMatchObject({
        organizationId: org.id,
        previousState: 'healthy',
        state: 'delayed',
        syncLogId: null,
      });
    } finally {
      await relay.stop();
    }
  });
});

describe('WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS', () => {
  it('defaults to a minute, takes whole positive seconds, and names itself when invalid', () => {
    expect(readWorkerEnv({}).webhookHealthScanSeconds).toBe(60);
    expect(readWorkerEnv({ WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS: '15' }).webhookHealthScanSeconds).toBe(15);
    expect(() => readWorkerEnv({ WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS: '0' })).toThrow(
      /WEBHOOK_HEALTH_SCAN_INTERVAL_SECONDS/,
    );
  });
});
