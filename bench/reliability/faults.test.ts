import { randomUUID } from 'node:crypto';
import { documentNumberFor } from '@meander/accounting';
import { type RunningEmulators, startEmulators } from '@meander/accounting/emulators';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { DatabaseUnavailableError, type NewExpenseRecord } from '@meander/db';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import { runSync, silentLogger } from '@meander/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PERIOD = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

describe('faults', () => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase('postgres', { poolSize: 4 });
    emu = await startEmulators({ port: 0 });
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  it('a database connection dropped mid-transaction → a typed error and no partial row', async () => {
    if (t.db.raw.dialect !== 'postgres') throw new Error('PostgreSQL expected');
    const sql = t.db.raw.sql;
    const org = await t.db.organizations.create({ name: 'Dropped AS' });
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'xledger' },
    });
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 1,
      ...PERIOD,
    });
    await t.db.syncLogs.start(syncLog.id);
    // Hold the organization's chain-head lock so the completion blocks inside its transaction…
    const holder = await sql.reserve();
    await holder`BEGIN`;
    await holder`SELECT id FROM organizations WHERE id = ${org.id} FOR UPDATE`;
    const completing = t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 }).then(
      () => null,
      (error: unknown) => error,
    );
    // …then terminate that backend while it waits, as a crashed server or a failover would.
    // Up to 30 s (not 100 polls of 20 ms): on a loaded machine the completion can take seconds to
    // reach its lock wait, and each poll is a query of its own.
    let victims: { pid: number }[] = [];
    for (const until = Date.now() + 30_000; victims.length === 0 && Date.now() < until; ) {
      victims = await sql<{ pid: number }[]>`SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`;
      if (victims.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(victims).toHaveLength(1);
    await sql`SELECT pg_terminate_backend(${victims[0]?.pid ?? 0})`;
    const error = await completing;
    await holder`ROLLBACK`;
    holder.release();
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as DatabaseUnavailableError).code).toBe('DATABASE_UNAVAILABLE');
    const row = await t.db.syncLogs.get(syncLog.id);
    expect(row).toMatchObject({ status: 'in_progress', completedAt: null });
    const [seal] = await sql<
      { chain_hash: string | null }[]
    >`SELECT chain_hash FROM accounting_sync_logs WHERE id = ${syncLog.id}`;
    expect(seal?.chain_hash).toBeNull();
    // The pool recovers: the same completion now goes through.
    const done = await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 1, recordsFailed: 0 });
    expect(done.syncLog.status).toBe('success');
  });

  it('a 10,000-record sync survives dropped connections and throttling, posting every record once', {
    timeout: 120_000,
  }, async () => {
    const org = await t.db.organizations.create({ name: 'Flaky ledger AS' });
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'dynamics', connection: emu.connections.dynamics },
    });
    const records: NewExpenseRecord[] = Array.from({ length: 10_000 }, (_, i) => ({
      id: randomUUID(),
      organizationId: org.id,
      kind: 'expense_claim',
      amountMinor: 500 + i,
      currency: 'NOK',
      bookingDate: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
      account: '7100',
      approvalState: 'approved',
    }));
    await t.db.expenseRecords.insertMany(records);
    // Faults re-armed after every 20 API requests for the whole sync: drops after the write was
    // applied, throttling and 5xx keep arriving between successful requests, as on a flaky day.
    // Counted in requests, not re-armed every 200 ms: on a loaded machine where a request takes
    // ~70 ms, a timer would fault nearly every request and exhaust the retries.
    const burst = { dropAfterWrite: 1, throttle: 1, serverErrors: 1, retryAfterSeconds: 0.01 };
    emu.setFaults('dynamics', burst);
    let rearmed = 0;
    let armedAt = emu.stats('dynamics').requests;
    const rearm = setInterval(() => {
      const requests = emu.stats('dynamics').requests;
      if (requests - armedAt < 20) return;
      armedAt = requests;
      emu.setFaults('dynamics', burst);
      rearmed += 1;
    }, 10);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'api',
      recordsTotal: 10_000,
      ...PERIOD,
    });
    const started = await t.db.syncLogs.start(syncLog.id);
    const outcome = await runSync(
      {
        db: t.db,
        logger: silentLogger,
        batchSize: 250,
        heartbeatMs: 10_000,
        adapterOptions: {
          retry: {
            maxAttempts: 12,
            baseDelayMs: 5,
            maxDelayMs: 50,
            rateLimitDelayMs: 10,
            maxTotalWaitMs: 10_000,
            requestTimeoutMs: 5_000,
          },
        },
      },
      started,
    );
    clearInterval(rearm);
    emu.setFaults('dynamics', {});
    expect(rearmed).toBeGreaterThanOrEqual(2);
    expect(outcome.status, JSON.stringify(outcome.syncLog?.errorDetails)).toBe('success');
    expect(outcome.syncLog).toMatchObject({ recordsSynced: 10_000, recordsFailed: 0 });
    const keys = new Map<string, number>();
    // Counted in the G/L: the expense-side entry of each record's document (2990 is the balancing side).
    for (const entry of emu.ledger('dynamics').filter((e) => e.accountNumber !== '2990'))
      keys.set(entry.documentNumber, (keys.get(entry.documentNumber) ?? 0) + 1);
    expect(records.every((r) => keys.get(documentNumberFor(r.id as string)) === 1)).toBe(true);
  });

  describe('bad input at the HTTP edge', () => {
    let api: RunningApi;
    let token: string;
    beforeAll(async () => {
      api = await startApiServer({ db: t.db, port: 0, jwtSecret: 'edge-secret-0123456789' });
      token = await signToken({ sub: randomUUID(), role: 'service' }, 'edge-secret-0123456789');
    });
    afterAll(async () => {
      await api?.close();
    });

    it('oversized, deep, mistyped and invalid UTF-8 bodies get 4xx, and the server stays up', async () => {
      const post = (body: string | Uint8Array, contentType = 'application/json') =>
        fetch(`${api.url}/trpc/syncLogs.create`, {
          method: 'POST',
          headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
          body,
        });
      const cases: [string, () => Promise<Response>][] = [
        ['8 MiB body', () => post(JSON.stringify({ organizationId: 'x'.repeat(8 * 1024 * 1024) }))],
        ['JSON nested 100,000 deep', () => post(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
        ['object nested 2,000 deep', () => post(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`)],
        ['text/plain', () => post('hello', 'text/plain')],
        ['form data', () => post('a=1&b=2', 'application/x-www-form-urlencoded')],
        ['invalid UTF-8', () => post(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0xff, 0xfe, 0x7d]))],
        ['truncated JSON', () => post('{"organizationId": "11111111-')],
        ['null body', () => post('null')],
        ['huge number', () => post(JSON.stringify({ recordsTotal: 1e308 }))],
        [
          'query with garbage input',
          () =>
            fetch(`${api.url}/trpc/syncLogs.list?input=%7B%7B%7B`, {
              headers: { authorization: `Bearer ${token}` },
            }),
        ],
      ];
      for (const [name, send] of cases) {
        const res = await send();
        await res.arrayBuffer();
        expect({ name, status: res.status >= 400 && res.status < 500 }).toEqual({ name, status: true });
      }
      const health = await fetch(`${api.url}/healthz`);
      expect(health.status).toBe(200);
    });
  });
});
