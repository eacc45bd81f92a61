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
});
