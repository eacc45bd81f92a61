import { randomUUID } from 'node:crypto';
import { type RunningApi, signToken, startApiServer } from '@meander/api';
import { createTestDatabase, DIALECTS, givenOrganization, type TestDatabase } from '@meander/db/testing';
import type { SyncLog } from '@meander/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';

const SECRET = 'cli-reverse-secret-0123456789abcd';
const OCTOBER = { periodStart: '2026-10-01T00:00:00.000Z', periodEnd: '2026-10-31T23:59:59.999Z' };

describe.each(DIALECTS)('meander-sync reverse on %s', (dialect) => {
  let t: TestDatabase;
  let api: RunningApi;
  let env: Record<string, string>;
  let orgId: string;
  let originalId: string;
  const operator = randomUUID();
  const recordIds = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    orgId = (await givenOrganization(t.db)).id;
    await t.db.expenseRecords.insertMany(
      recordIds.map((id, i) => ({
        id,
        organizationId: orgId,
        kind: 'expense_claim' as const,
        amountMinor: 12_500 + i,
        currency: 'NOK',
        bookingDate: '2026-10-03',
        account: '7100',
        approvalState: 'approved' as const,
      })),
    );
    const { syncLog } = await t.db.syncLogs.create({
      organizationId: orgId,
      accountingSystem: 'xledger',
      syncType: 'api',
      recordsTotal: 2,
      ...OCTOBER,
    });
    await t.db.syncLogs.start(syncLog.id);
    await t.db.syncLogs.complete({ id: syncLog.id, recordsSynced: 2, recordsFailed: 0 });
    originalId = syncLog.id;
    api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
    const token = await signToken({ sub: operator, role: 'org_admin', org: orgId }, SECRET);
    env = { MEANDER_API_URL: api.url, MEANDER_TOKEN: token };
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('refuses a missing or empty reason as a usage error (exit 2), and starts nothing', async () => {
    const missing = await cli(['reverse', originalId], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--reason <text>'");
    const empty = await cli(['reverse', originalId, '--reason', '   '], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/reason/);
    expect(await t.db.syncLogs.getActive(orgId)).toBeNull();
  });

  it('reverses the sync, follows the reversal to its end and prints it (--json)', async () => {
    const run = cli(['reverse', originalId, '--reason', 'Exported to the wrong company', '--json'], env);
    // Stand in for the worker: run the queued reversal to its end, so the CLI's follow finishes.
    const until = Date.now() + 60_000;
    let reversal: SyncLog | null = null;
    while (!reversal) {
      reversal = await t.db.syncLogs.getActive(orgId);
      if (!reversal && Date.now() > until) throw new Error('the reversal was never queued');
      if (!reversal) await new Promise((r) => setTimeout(r, 50));
    }
    await t.db.syncLogs.start(reversal.id);
    await t.db.syncLogs.complete({ id: reversal.id, recordsSynced: 2, recordsFailed: 0 });
    const r = await run;
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as SyncLog;
    expect(log).toMatchObject({
      id: reversal.id,
      status: 'success',
      syncType: 'manual',
      triggeredBy: operator,
      recordsTotal: 2,
      payloadSummary: { reversal: { of: originalId, reason: 'Exported to the wrong company' } },
    });
    for (const id of recordIds) expect((await t.db.expenseRecords.get(orgId, id))?.state).toBe('approved');
  });

  it('refuses a second reversal, naming the first and the way to finish it (exit 1)', async () => {
    const r = await cli(['reverse', originalId, '--reason', 'again', '--json'], env);
    expect(r.code).toBe(1);
    const answer = JSON.parse(r.stdout || r.stderr) as { error: { domainCode: string; message: string } };
    expect(answer.error.domainCode).toBe('SYNC_ALREADY_REVERSED');
    const human = await cli(['reverse', originalId, '--reason', 'again'], env);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('already reversed by sync');
    expect(human.stderr).toContain('meander-sync resync run');
  });
});
