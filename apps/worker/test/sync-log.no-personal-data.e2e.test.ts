import {
  type AccountingAdapter,
  AccountingError,
  type AdapterOptions,
  type BatchResult,
  createAdapter,
  DEMO_POSTING_SETTINGS,
} from '@meander/accounting';
import type { EmulatorFaults, RunningEmulators } from '@meander/accounting/emulators';
import { Checkpointer, CheckpointSigner, type Database, withCheckpoints } from '@meander/db';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { AccountingSystem, ExpenseRecordInput, PayloadSummary, SyncLog } from '@meander/domain';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerDeps, runSync } from '../src/runner.js';
import { emulators, FAST_RETRIES, givenConnectedOrganization, PERIOD } from './fixtures.js';
import { findPersonalData, findPersonalDataInLines } from './support/personal-data-scan.js';

/**
 * Issue 24, item 4: an expense record's personal data — the employee's number, the description and
 * the names in it, the receipt's address — stays in the intake's tables. The sync log (summaries,
 * error details, every column), the audit chain and its checkpoints, unverified postings and the
 * worker's log lines hold ids, counts and codes only, whatever the export's outcome.
 */

const NAMES = ['Ingrid Solbakken-Vrang', 'Tormod Kvalheim Aasen', 'Sigrun Øvrebø'];

/** Records whose every personal field is distinctive, and those fields as the secrets to look for. */
function personalRecords(
  tag: string,
  count: number,
  account: (i: number) => string = () => '7100',
): { records: ExpenseRecordInput[]; secrets: string[] } {
  const records = Array.from({ length: count }, (_, i): ExpenseRecordInput => {
    const name = NAMES[i % NAMES.length] as string;
    const plain = i % 3 !== 2;
    return {
      id: crypto.randomUUID(),
      version: 1,
      kind: i % 2 === 0 ? 'expense_claim' : 'reimbursement',
      employeeNumber: `ZQ${tag}${i}`,
      bookingDate: `2026-10-${String(i + 1).padStart(2, '0')}`,
      currency: 'NOK',
      description: `Dinner with ${name} re ${tag}-${i} at Fjordkanten`,
      receiptUrl: `https://expenses.meander.example/receipts/rcpt-${tag.toLowerCase()}-${i}.pdf`,
      // Every third record has two lines, VAT and dimensions (the demo ledgers' mapping).
      lines: plain
        ? [{ account: account(i), amountMinor: 52_000 + i, vatCode: 'ZERO', vatAmountMinor: 0 }]
        : [
            {
              account: account(i),
              amountMinor: 40_000,
              vatCode: 'HIGH',
              vatAmountMinor: 10_000,
              dimensions: { department: 'SALES', project: 'P100' },
            },
            { account: '7150', amountMinor: 2_000, vatCode: 'EXEMPT', vatAmountMinor: 0 },
          ],
    };
  });
  const secrets = records.flatMap((r) => [
    r.employeeNumber,
    r.description as string,
    `${tag}-${records.indexOf(r)}`,
    `rcpt-${tag.toLowerCase()}-${records.indexOf(r)}`,
  ]);
  return { records, secrets: [...secrets, ...NAMES, 'Fjordkanten'] };
}

/** The admin who starts the re-syncs (`resync.start` records the user id). */
const RESYNC_ADMIN = crypto.randomUUID();

/** A clock that moves only when the adapter sleeps: a ledger's wait bound is reached at once. */
function virtualTime(): Pick<AdapterOptions, 'clock' | 'sleep'> {
  let now = 0;
  return {
    clock: { now: () => now },
    sleep: async (ms) => {
      now += ms;
    },
  };
}

describe.each(DIALECTS)('no personal data outside the intake tables, on %s', (dialect) => {
  let t: TestDatabase;
  let db: Database;
  let emu: RunningEmulators;
  /** Every line the worker logged, at debug level: what an operator's log pipeline would receive. */
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logLines.push(line) });

  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    // Checkpoints signed after every seal, as a worker with AUDIT_SIGNING_KEY does.
    db = withCheckpoints(t.db, new Checkpointer(t.db, CheckpointSigner.generate()));
    emu = await emulators();
  });
  afterAll(async () => {
    await emu?.close();
    await t?.drop();
  });

  /** Record, claim and run one sync of October for the organization, under `faults`. */
  async function sync(
    organizationId: string,
    system: AccountingSystem,
    options: {
      faults?: EmulatorFaults;
      adapter?: AdapterOptions;
      payloadSummary?: PayloadSummary;
      adapterFor?: RunnerDeps['adapterFor'];
    } = {},
  ): Promise<SyncLog> {
    emu.setFaults(system, options.faults ?? {});
    const recordIds = options.payloadSummary?.recordIds;
    const recordsTotal = await db.expenseRecords.countApproved({
      organizationId,
      ...PERIOD,
      ...(recordIds ? { recordIds: [...recordIds] } : {}),
    });
    const { syncLog } = await db.syncLogs.create({
      organizationId,
      accountingSystem: system,
      syncType: options.payloadSummary ? 'manual' : 'api',
      ...(options.payloadSummary
        ? { triggeredBy: RESYNC_ADMIN, payloadSummary: options.payloadSummary }
        : {}),
      recordsTotal,
      ...PERIOD,
    });
    const running = await db.syncLogs.start(syncLog.id, { workerId: 'pii-test-worker' });
    const outcome = await runSync(
      {
        db,
        logger,
        batchSize: 2,
        heartbeatMs: 60_000,
        adapterOptions: { ...FAST_RETRIES, ...options.adapter },
        ...(options.adapterFor ? { adapterFor: options.adapterFor } : {}),
      },
      running,
    );
    emu.setFaults(system, {});
    return outcome.syncLog as SyncLog;
  }

  /** A re-sync of `parent` as `resync.start` records it: its failed records, or the whole period. */
  function resyncOf(parent: SyncLog): PayloadSummary {
    const failed = [...new Set((parent.errorDetails?.recordFailures ?? []).map((f) => f.recordId))];
    return {
      formatVersion: '1',
      parentSyncId: parent.id,
      ...(parent.status === 'partial' && failed.length > 0 ? { recordIds: failed } : {}),
    };
  }

  /** An organization on `system` holding `records`, handed over through the intake. */
  async function organizationWith(system: AccountingSystem, records: ExpenseRecordInput[]): Promise<string> {
    // The emulators know employees E001–E010 only and refuse others, as the ledgers do; these
    // records carry numbers no ledger knows (distinctive, so a scan can find them), so the credit
    // goes to the balancing account. The numbers still travel the whole way through our code —
    // intake, export stream, adapter, the worker's handling of what the ledger answers.
    const { id } = await givenConnectedOrganization(db, emu, system, 0, {
      settings: { ...DEMO_POSTING_SETTINGS[system], employeeCredit: 'balancing_account' },
    });
    const stored = await db.expenseRecords.upsert(id, records);
    expect(stored).toMatchObject({ upserted: records.length, rejected: [] });
    return id;
  }

  it.each<[AccountingSystem, string]>([
    ['xledger', 'XL'],
    ['dynamics', 'BC'],
  ])('%s: success, partial, failed, unverified and re-syncs store none of it', async (system, tag) => {
    logLines.length = 0;
    const secrets: string[] = [];
    const given = (part: string, count: number, account?: (i: number) => string) => {
      const made = personalRecords(`${tag}${part}`, count, account);
      secrets.push(...made.secrets);
      return made.records;
    };

    const success = await sync(await organizationWith(system, given('S', 3)), system);
    expect(success).toMatchObject({ status: 'success', recordsSynced: 3, recordsFailed: 0 });

    // The ledger refuses the record on a closed account; the re-sync after it reopened posts it.
    const partialOrg = await organizationWith(
      system,
      given('P', 3, (i) => (i === 1 ? '7320' : '7100')),
    );
    const partial = await sync(partialOrg, system, { faults: { closedAccounts: ['7320'] } });
    expect(partial).toMatchObject({ status: 'partial', recordsSynced: 2, recordsFailed: 1 });
    expect(partial.errorDetails?.recordFailures).toHaveLength(1);
    const partialResync = await sync(partialOrg, system, { payloadSummary: resyncOf(partial) });
    expect(partialResync.status).toMatch(/^(success|partial)$/);

    // Credentials refused: nothing posted; the re-sync of the whole period posts it all.
    const failedOrg = await organizationWith(system, given('F', 3));
    const failed = await sync(failedOrg, system, { faults: { authFailure: true } });
    expect(failed).toMatchObject({ status: 'failed', recordsSynced: 0 });
    expect(failed.errorDetails?.code).toBeTruthy();
    const failedResync = await sync(failedOrg, system, { payloadSummary: resyncOf(failed) });
    expect(failedResync).toMatchObject({ status: 'success', recordsSynced: 3, recordsFailed: 0 });

    // Accepted but never found within the bound: unverified postings, with the ledger's reason.
    const unverifiedOrg = await organizationWith(system, given('U', 2));
    const unverified = await sync(unverifiedOrg, system, {
      faults: system === 'xledger' ? { processingDelayMs: 3_600_000 } : { jobQueuePostingMs: 3_600_000 },
      adapter: {
        ...virtualTime(),
        xledgerProcessingWait: { firstPollMs: 1_000, maxWaitMs: 30_000 },
      },
    });
    expect(unverified).toMatchObject({ status: 'partial', recordsFailed: 2 });
    expect(unverified.errorDetails?.recordFailures?.map((f) => f.code)).toEqual([
      'POSTED_NOT_FOUND',
      'POSTED_NOT_FOUND',
    ]);

    const scan = await findPersonalData(t.db, secrets);
    expect(scan.findings).toEqual([]);
    // The scan read what matters: every sync, its checkpoints, the unverified postings.
    expect(scan.rowsScanned.accounting_sync_logs).toBeGreaterThanOrEqual(6);
    expect(scan.rowsScanned.audit_checkpoints).toBeGreaterThan(0);
    expect(scan.rowsScanned.unverified_postings).toBeGreaterThanOrEqual(2);
    // …and it would have seen the secrets: the intake's own tables hold every one of them.
    const control = await findPersonalData(t.db, secrets, { except: [] });
    const seenIn = new Set(control.findings.map((f) => `${f.table}.${f.column}`));
    expect([...seenIn].sort()).toEqual([
      'expense_records.description',
      'expense_records.employee_number',
      'expense_records.receipt_url',
    ]);
    const found = new Set(control.findings.map((f) => f.secret));
    expect(secrets.filter((s) => !found.has(s))).toEqual([]);

    expect(logLines.some((line) => line.includes('sync finished'))).toBe(true);
    expect(logLines.some((line) => line.includes('sync failed'))).toBe(true);
    expect(findPersonalDataInLines(logLines, secrets)).toEqual([]);
  });

  /**
   * The emulators never quote what they were sent; real ledgers do (Business Central: "The length
   * of the string is …, but it must be less than or equal to 100 characters. Value: …",
   * microsoft/ALAppExtensions#8173). This ledger posts through the emulator, then refuses the first
   * record of each batch and leaves the second unverified, quoting them; a later push fails whole,
   * quoting the batch in its message.
   */
  function quotingLedger(system: AccountingSystem, mode: 'refuse' | 'fail'): RunnerDeps['adapterFor'] {
    return (_sync, connection) => {
      const real = createAdapter(system, connection, FAST_RETRIES);
      const quote = (r: { description?: string; employeeNumber?: string }) =>
        `Value: ${r.description ?? ''} (No.='${r.employeeNumber ?? ''}')`;
      const adapter: AccountingAdapter = {
        system,
        get requests() {
          return real.requests;
        },
        checkConnection: (signal) => real.checkConnection(signal),
        inspectConnection: (signal) => real.inspectConnection(signal),
        preflight: (records, context) => real.preflight(records, context),
        async pushBatch(records, context): Promise<BatchResult> {
          const [first, second] = records;
          if (mode === 'fail' && first)
            throw new AccountingError(`The ledger refused the batch: ${quote(first)}`, {
              code: 'Internal_ServerError',
              category: 'unknown',
              retryable: true,
            });
          const result = await real.pushBatch(records.slice(2), context);
          return {
            ...result,
            rejected: [
              ...result.rejected,
              ...(first
                ? [
                    {
                      recordId: first.id,
                      code: 'Application_StringExceededLength',
                      category: 'validation' as const,
                      retryable: false,
                      reason: `The length of the string is 120, but it must be less than or equal to 100 characters. ${quote(first)}`,
                    },
                  ]
                : []),
              ...(second
                ? [
                    {
                      recordId: second.id,
                      code: 'POSTED_NOT_FOUND',
                      category: 'configuration' as const,
                      retryable: false,
                      unverified: true,
                      reason: `Posted, but no G/L entry found for ${quote(second)}`,
                    },
                  ]
                : []),
            ],
          };
        },
      };
      return adapter;
    };
  }

  it.each<[AccountingSystem, string]>([
    ['xledger', 'XQ'],
    ['dynamics', 'BQ'],
  ])('%s: a ledger that quotes what it was sent leaves no trace of it either', async (system, tag) => {
    logLines.length = 0;
    const { records, secrets } = personalRecords(tag, 4);
    const organizationId = await organizationWith(system, records);
    const refused = await sync(organizationId, system, { adapterFor: quotingLedger(system, 'refuse') });
    // Two batches of two records: each batch's first refused, the second unverified.
    expect(refused).toMatchObject({ status: 'partial', recordsFailed: 4 });
    const reasons = refused.errorDetails?.recordFailures?.map((f) => f.reason) ?? [];
    expect(reasons).toHaveLength(4);
    // The ledger's words stay, the personal fields are named: the admin still sees what is wrong.
    for (const reason of reasons) expect(reason).toContain('Value: [description]');
    const failed = await sync(organizationId, system, {
      adapterFor: quotingLedger(system, 'fail'),
      payloadSummary: resyncOf(refused),
    });
    expect(failed).toMatchObject({ status: 'failed', errorDetails: { code: 'Internal_ServerError' } });
    expect(failed.errorDetails?.message).toContain('The ledger refused the batch: Value: [description]');

    const scan = await findPersonalData(t.db, secrets);
    expect(scan.findings).toEqual([]);
    expect(scan.rowsScanned.unverified_postings).toBeGreaterThanOrEqual(1);
    expect(findPersonalDataInLines(logLines, secrets)).toEqual([]);
  });
});
