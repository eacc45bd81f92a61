import type { RunningEmulators } from '@meander/accounting/emulators';
import { CredentialCipher, withCredentials } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.js';
import { type RunningWorker, startWorker } from '../src/worker.js';
import {
  emulators,
  eventually,
  FAST_RETRIES,
  givenConnectedOrganization,
  PERIOD,
  terminal,
} from './fixtures.js';

describe.each(DIALECTS)('sealed accounting credentials in the worker on %s', (dialect) => {
  let t: TestDatabase;
  let emu: RunningEmulators;
  let worker: RunningWorker;
  const cipher = CredentialCipher.generate();

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await emulators();
    worker = await startWorker({
      db: t.db,
      credentials: cipher,
      logger: silentLogger,
      pollMs: 50,
      adapterOptions: FAST_RETRIES,
      dispatchCron: '0 0 1 1 *',
      catchUpHours: 0,
    });
  });
  afterAll(async () => {
    await worker?.stop();
    await emu?.close();
    await t?.drop();
  });

  it('stores the Dynamics client secret sealed and opens it only to build the adapter', async () => {
    const sealedDb = withCredentials(t.db, cipher);
    const org = await givenConnectedOrganization(sealedDb, emu, 'dynamics', 5);
    const secret = String(emu.connections.dynamics.clientSecret);
    const stored = await t.db.organizations.getAccountingModule(org.id);
    expect(JSON.stringify(stored)).not.toContain(secret);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'dynamics',
      syncType: 'api',
      recordsTotal: 5,
      ...PERIOD,
    });
    const done = await eventually(async () => terminal(await t.db.syncLogs.get(syncLog.id)));
    expect(done).toMatchObject({ status: 'success', recordsSynced: 5 });
  });

  it('a worker without the key fails the sync as a configuration error that names no secret', async () => {
    const other = CredentialCipher.generate();
    const org = await givenConnectedOrganization(withCredentials(t.db, other), emu, 'xledger', 2);
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: org.id,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 2,
      ...PERIOD,
    });
    const done = await eventually(async () => terminal(await t.db.syncLogs.get(syncLog.id)));
    expect(done.status).toBe('failed');
    expect(done.errorDetails).toMatchObject({ code: 'CREDENTIALS_UNREADABLE', category: 'configuration' });
    expect(JSON.stringify(done)).not.toContain(String(emu.connections.xledger.apiToken));
    expect(done.errorDetails?.message).toContain(other.keyId);
  });
});
