import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { SecretBox, type WebhookEvent, webhookStoreFor } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import { emulators, eventually, FAST_RETRIES, givenConnectedOrganization, PERIOD } from './fixtures.js';

interface Received {
  headers: Record<string, string>;
  body: string;
  answered: number;
  at: number;
}

/** A local receiver: answers `plan` status codes in turn (then 204), after `delayMs`. */
async function receiver(plan: number[], delayMs = 0) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answered = plan.shift() ?? 204;
      received.push({
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
        at: Date.now(),
      });
      setTimeout(() => res.writeHead(answered).end(), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe.each(DIALECTS)('signed webhooks end to end on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      batchSize: 25,
      pollMs: 50,
      adapterOptions: FAST_RETRIES,
      dispatchCron: '0 0 1 1 *',
      catchUpHours: 0,
      webhooks: { box, allowedHosts: ['127.0.0.1'], baseDelayMs: 200, pollMs: 50, timeoutMs: 1_000 },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await emu?.close();
    await t?.drop();
  });

  async function endpointFor(
    organizationId: string,
    url: string,
    events: WebhookEvent[] = ['sync.partial', 'sync.succeeded'],
  ) {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const endpoint = await webhookStoreFor(t.db).createEndpoint({
      organizationId,
      url,
      events: [...events],
      secretCiphertext: box.seal(secret),
      createdBy: null,
    });
    return { endpoint, secret };
  }

  async function manualSync(organizationId: string, recordsTotal: number) {
    const { syncLog } = await t.db.syncLogs.create({
      organizationId,
      accountingSystem: 'xledger',
      syncType: 'manual',
      triggeredBy: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f',
      recordsTotal,
      ...PERIOD,
    });
    return syncLog;
  }

  it('delivers a verified sync.partial within seconds, retrying under one webhook-id after a 500', async () => {
    const hook = await receiver([500]);
    try {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 10);
      const { endpoint, secret } = await endpointFor(org.id, hook.url);
      emu.setFaults('xledger', { rejectRecordIds: org.recordIds.slice(0, 2) });
      const sync = await manualSync(org.id, 10);

      // "Within seconds", not the default schedule's minutes: the retry waits the test's 200 ms
      // backoff. The deadline only bounds a broken relay; nothing here measures wall-clock time.
      await eventually(async () => hook.received.filter((r) => r.answered === 204).length > 0, 20_000);
      const [first, second] = hook.received;
      if (!first || !second) throw new Error('expected two attempts');
      expect(first.answered).toBe(500);
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(second.at - first.at).toBeGreaterThanOrEqual(150); // backoff, not a hot loop

      // The receiver verifies with the same library and the secret shown at creation.
      const payload = new Webhook(secret).verify(second.body, second.headers) as {
        type: string;
        data: Record<string, unknown>;
      };
      expect(payload.type).toBe('sync.partial');
      expect(payload.data).toMatchObject({
        syncLogId: sync.id,
        organizationId: org.id,
        status: 'partial',
        recordsSynced: 8,
        recordsFailed: 2,
      });
      expect(JSON.stringify(payload)).not.toContain('Taxi for employee'); // no record descriptions
      // The runner recorded the catalogue's code beside the ledger's own; the payload's top reasons use it.
      expect(payload.data.topReasons).toEqual([
        { code: 'RECORD_REFUSED_BY_RULE', category: 'validation', count: 2 },
      ]);
      const recorded = await t.db.syncLogs.get(sync.id);
      expect(recorded?.errorDetails?.recordFailures?.[0]).toMatchObject({
        code: 'GL_IMPORT_ITEM_ERROR',
        catalogCode: 'RECORD_REFUSED_BY_RULE',
        catalogCategory: 'validation',
      });
      expect(() =>
        new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(second.body, second.headers),
      ).toThrow();

      const delivery = await eventually(async () => {
        const [d] = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
        return d?.status === 'succeeded' ? d : null;
      });
      expect(delivery).toMatchObject({ status: 'succeeded', attempts: 2, eventType: 'sync.partial' });
      expect(delivery?.attemptLog.map((a) => a.statusCode)).toEqual([500, 204]);
      const raw = t.db.raw;
      if (raw.dialect === 'postgres') {
        // On PostgreSQL the attempts went through the product's queue: one pg-boss job per attempt.
        // pg-boss marks a job completed only after its handler returned, and the handler records the
        // delivery first, so the last job may still read 'active' for a moment: wait for the queue.
        const listJobs = async () =>
          (
            await raw.sql<{ attempt: number; state: string }[]>`
              SELECT (data->>'attempt')::int AS attempt, state FROM pgboss.job
              WHERE name = 'meander-webhook' AND data->>'deliveryId' = ${delivery.id} ORDER BY 1`
          ).map((j): [number, string] => [j.attempt, j.state]);
        const jobs = await eventually(async () => {
          const rows = await listJobs();
          const settled = (state: unknown) =>
            state === 'completed' || state === 'failed' || state === 'cancelled';
          return rows.length > 0 && rows.every(([, state]) => settled(state)) ? rows : null;
        }, 10_000).catch(listJobs);
        expect(jobs).toEqual([
          [1, 'completed'],
          [2, 'completed'],
        ]);
      }
    } finally {
      emu.setFaults('xledger', {});
      await hook.close();
    }
  });

  it('gives up on an endpoint that never answers in time once the attempts run out', async () => {
    const slow = await receiver([503, 503, 503, 503, 503, 503, 503], 1_500);
    try {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 5);
      const { endpoint } = await endpointFor(org.id, slow.url, ['sync.succeeded']);
      const sync = await manualSync(org.id, 5);
      // Six attempts of a 1 s timeout with 0.2 → 3.2 s backoffs: ~12 s of the relay's own time.
      const final = await eventually(async () => {
        const [d] = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
        return d?.status === 'failed' ? d : null;
      }, 50_000);
      expect((final.payload as { data: { syncLogId: string } }).data.syncLogId).toBe(sync.id);
      expect(final.attempts).toBe(6);
      expect(final.attemptLog.every((a) => a.error === 'No answer within 1000 ms')).toBe(true);
      expect(final.nextAttemptAt).toBeNull();
    } finally {
      await slow.close();
    }
  }, 60_000);

  it('sends integration.health_changed when a failed sync needs a person', async () => {
    const hook = await receiver([]);
    try {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 2);
      const { secret } = await endpointFor(org.id, hook.url, ['integration.health_changed', 'sync.failed']);
      emu.setFaults('xledger', { authFailure: true });
      const sync = await manualSync(org.id, 2);
      await eventually(async () => hook.received.length >= 2, 10_000);
      const events = hook.received.map(
        (r) =>
          new Webhook(secret).verify(r.body, r.headers) as { type: string; data: Record<string, unknown> },
      );
      const failed = events.find((e) => e.type === 'sync.failed');
      expect(failed?.data).toMatchObject({
        syncLogId: sync.id,
        error: { code: 'CREDENTIALS_REJECTED', category: 'auth', retryable: false },
      });
      const changed = events.find((e) => e.type === 'integration.health_changed');
      expect(changed?.data).toMatchObject({
        organizationId: org.id,
        accountingSystem: 'xledger',
        previousState: 'healthy',
        state: 'action_required',
        syncLogId: sync.id,
        openProblems: [expect.objectContaining({ code: 'CREDENTIALS_REJECTED', category: 'auth' })],
      });
    } finally {
      emu.setFaults('xledger', {});
      await hook.close();
    }
  });

  it('refuses a loopback endpoint that WEBHOOK_ALLOWED_HOSTS does not name, without retrying', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 1);
    const { endpoint } = await endpointFor(org.id, 'http://localhost:9/hook', ['sync.succeeded']);
    await manualSync(org.id, 1);
    const [d] = await eventually(async () => {
      const list = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
      return list[0]?.status === 'failed' ? list : null;
    });
    expect(d?.attempts).toBe(1);
    expect(d?.lastError).toMatch(/WEBHOOK_ALLOWED_HOSTS/);
  });
});

/** A local receiver that holds every request open until `release()` answers them (and later ones) 204. */
async function holdingReceiver() {
  const held: { body: string; answer: () => void }[] = [];
  let released = false;
  let answered = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        answered += 1;
        res.writeHead(204).end();
      };
      if (released) answer();
      else held.push({ body: Buffer.concat(chunks).toString('utf8'), answer });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    held,
    answered: () => answered,
    release() {
      released = true;
      for (const h of held.splice(0)) h.answer();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * Its own worker whose relay waits a minute for an answer, so a webhook attempt stays in flight
 * for as long as the test holds it: the sync below is shown to run during that attempt by the
 * order of events, not by how many milliseconds it took on this machine.
 */
describe.each(DIALECTS)('a webhook receiver that hangs, on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      logger: silentLogger,
      batchSize: 25,
      pollMs: 50,
      adapterOptions: FAST_RETRIES,
      dispatchCron: '0 0 1 1 *',
      catchUpHours: 0,
      webhooks: { box, allowedHosts: ['127.0.0.1'], baseDelayMs: 200, pollMs: 50, timeoutMs: 60_000 },
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await emu?.close();
    await t?.drop();
  });

  it('never lets a slow endpoint delay a sync: a sync runs start to finish while a webhook attempt hangs', async () => {
    const hook = await holdingReceiver();
    try {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 5);
      const endpoint = await webhookStoreFor(t.db).createEndpoint({
        organizationId: org.id,
        url: hook.url,
        events: ['sync.succeeded'],
        secretCiphertext: box.seal(`whsec_${randomBytes(24).toString('base64')}`),
        createdBy: null,
      });
      const syncOnce = async () => {
        const { syncLog } = await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: 'xledger',
          syncType: 'api',
          recordsTotal: 5,
          ...PERIOD,
        });
        return eventually(async () => {
          const s = await t.db.syncLogs.get(syncLog.id);
          return s?.status === 'success' ? s : null;
        }, 30_000);
      };
      const first = await syncOnce();
      // The first sync's webhook reaches the receiver, which does not answer.
      await eventually(async () => hook.held.length > 0, 30_000);
      expect(hook.held[0]?.body).toContain(first.id);

      const second = await syncOnce();
      expect(second.recordsSynced).toBe(5);
      // The second sync ran while the first webhook's only attempt was still waiting for its answer.
      expect(hook.answered()).toBe(0);
      const [delivery] = (await webhookStoreFor(t.db).listDeliveries(endpoint.id)).filter(
        (d) => (d.payload as { data: { syncLogId: string } }).data.syncLogId === first.id,
      );
      expect(delivery).toMatchObject({ status: 'pending', attempts: 0 });

      hook.release();
      const delivered = await eventually(async () => {
        const list = await webhookStoreFor(t.db).listDeliveries(endpoint.id);
        return list.length === 2 && list.every((d) => d.status === 'succeeded') ? list : null;
      }, 30_000);
      expect(delivered.map((d) => d.attempts)).toEqual([1, 1]);
    } finally {
      // Answer anything still held before the worker stops: it waits for its in-flight attempt.
      hook.release();
      await hook.close();
    }
  }, 90_000);
});
