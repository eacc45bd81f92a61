import { type AccountingAdapter, createAdapter } from '@meander/accounting';
import type { RunningEmulators } from '@meander/accounting/emulators';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { runSync } from '../src/runner.js';
import { emulators, FAST_RETRIES, givenConnectedOrganization, PERIOD } from './fixtures.js';

describe.each(DIALECTS)('runSync — the adapter comes from the stored module, on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  it('never posts a sync recorded for one system to the system the organization switched to', async () => {
    const org = await givenConnectedOrganization(t.db, emu, 'xledger', 3);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 3,
      ...PERIOD,
    });
    const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
    // An admin moves the organization to Business Central while the sync waits to run.
    await t.db.organizations.configureAccounting({
      organizationId: org.id,
      enabled: true,
      config: { accountingSystem: 'dynamics', connection: emu.connections.dynamics },
    });
    const outcome = await runSync(
      { db: t.db, logger: silentLogger, batchSize: 10, heartbeatMs: 60_000, adapterOptions: FAST_RETRIES },
      running,
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.syncLog?.errorDetails).toMatchObject({
      code: 'ACCOUNTING_SYSTEM_CHANGED',
      category: 'configuration',
      retryable: false,
    });
    expect(emu.stats('dynamics').writes).toBe(0);
    expect(emu.stats('xledger').requests).toBe(0);
  });

  it.each(['xledger', 'dynamics'] as const)(
    'reads the %s chart of accounts for the first batch of a sync, not for every batch',
    async (system) => {
      // Every record on one account, one of them on an account the chart lacks: both answers are
      // read once, and the unknown account is still refused in its batch.
      const org = await givenConnectedOrganization(t.db, emu, system, 12, {
        accounts: (i) => (i === 1 ? '4711' : '7100'),
      });
      const { syncLog } = await t.db.syncLogs.create({
        organizationId: org.id,
        accountingSystem: system,
        syncType: 'api',
        recordsTotal: 12,
        ...PERIOD,
      });
      const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
      // The emulator's requests made while each pre-flight ran (the runner awaits it before pushing).
      const preflightRequests: number[] = [];
      const counted = (adapter: AccountingAdapter): AccountingAdapter => ({
        system: adapter.system,
        requests: adapter.requests,
        pushBatch: (records, context) => adapter.pushBatch(records, context),
        checkConnection: (signal) => adapter.checkConnection(signal),
        inspectConnection: (signal) => adapter.inspectConnection(signal),
        preflight: async (records, context) => {
          const before = emu.stats(system).requests;
          const planned = await adapter.preflight(records, context);
          preflightRequests.push(emu.stats(system).requests - before);
          return planned;
        },
      });
      const outcome = await runSync(
        {
          db: t.db,
          logger: silentLogger,
          batchSize: 4,
          heartbeatMs: 60_000,
          adapterFor: (_sync, connection) => counted(createAdapter(system, connection, FAST_RETRIES)),
        },
        running,
      );
      expect(outcome.status).toBe('partial');
      expect(outcome.syncLog).toMatchObject({ recordsSynced: 11, recordsFailed: 1 });
      expect(outcome.syncLog?.errorDetails?.recordFailures?.[0]?.code).toBe('PREFLIGHT_UNKNOWN_ACCOUNT');
      // Xledger: accounts and the employees the records credit. Business Central: accounts,
      // accountingPeriods and employees. All read once for the sync: later batches read nothing.
      expect(preflightRequests).toEqual([system === 'xledger' ? 2 : 3, 0, 0]);
    },
  );

  // The last batch's counts are written by the completion itself (none just before it).
  it.each([
    [0, [4, 8]],
    [60_000, []],
  ])(
    'writes progress at most every progressIntervalMs (%i ms) while batches follow, and the final counts on completion',
    async (progressIntervalMs, written) => {
      const org = await givenConnectedOrganization(t.db, emu, 'xledger', 12);
      const { syncLog } = await t.db.syncLogs.create({
        organizationId: org.id,
        accountingSystem: 'xledger',
        syncType: 'api',
        recordsTotal: 12,
        ...PERIOD,
      });
      const running = await t.db.syncLogs.start(syncLog.id, { workerId: 'test-runner' });
      const reports: number[] = [];
      const syncLogs = Object.create(t.db.syncLogs) as typeof t.db.syncLogs;
      syncLogs.reportProgress = (command) => {
        reports.push(command.recordsSynced);
        return t.db.syncLogs.reportProgress(command);
      };
      const outcome = await runSync(
        {
          db: { ...t.db, syncLogs },
          logger: silentLogger,
          batchSize: 4,
          heartbeatMs: 60_000,
          adapterOptions: FAST_RETRIES,
          progressIntervalMs,
        },
        running,
      );
      expect(reports).toEqual(written);
      expect(outcome.status).toBe('success');
      expect(await t.db.syncLogs.get(syncLog.id)).toMatchObject({ recordsSynced: 12, recordsFailed: 0 });
    },
  );
});
