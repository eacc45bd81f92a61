import { randomUUID } from 'node:crypto';
import { isDomainError, type SyncLog } from '@meander/domain';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/port.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

/**
 * Differential test: one random command sequence, run on SQLite and on PostgreSQL, must give the same
 * results, the same errors (code, rule, field) and the same final rows. Timestamps are passed in, and
 * the random ids the stores mint are replaced by their creation index before comparing.
 */
type Command =
  | {
      kind: 'create';
      org: number;
      syncType: 'scheduled' | 'manual' | 'api';
      withUser: boolean;
      total: number;
      period: number;
      upper: boolean;
    }
  | { kind: 'start'; sync: number }
  | { kind: 'progress'; sync: number; synced: number; failed: number }
  | { kind: 'complete'; sync: number; synced: number; failed: number; details: boolean }
  | { kind: 'fail'; sync: number; details: boolean }
  | { kind: 'list'; org: number; limit: number };

const ORGS = 3; // org 2 has its accounting module disabled
const count = fc.integer({ min: 0, max: 6 });
const small = fc.integer({ min: 0, max: 2 });
/** Which sync a command targets: -1 (the latest, usually the active one) or an index of the syncs so far. */
const target = fc.oneof(fc.constant(-1), fc.nat(5));
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('create' as const),
    org: fc.integer({ min: 0, max: ORGS - 1 }),
    syncType: fc.constantFrom('scheduled' as const, 'manual' as const, 'api' as const),
    withUser: fc.boolean(),
    total: count,
    period: fc.integer({ min: 0, max: 2 }),
    upper: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('start' as const), sync: target }),
  fc.record({ kind: fc.constant('progress' as const), sync: target, synced: small, failed: small }),
  fc.record({
    kind: fc.constant('complete' as const),
    sync: target,
    synced: count,
    failed: count,
    details: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('fail' as const), sync: target, details: fc.boolean() }),
  fc.record({
    kind: fc.constant('list' as const),
    org: fc.integer({ min: 0, max: ORGS - 1 }),
    limit: fc.integer({ min: 1, max: 3 }),
  }),
);

/** A sequence that reaches every outcome the coverage check below expects; fast-check runs it first. */
const create = (org: number, o: Partial<Extract<Command, { kind: 'create' }>> = {}): Command => ({
  kind: 'create',
  org,
  syncType: 'api',
  withUser: false,
  total: 3,
  period: 0,
  upper: false,
  ...o,
});
const SCRIPTED: Command[] = [
  create(0),
  create(0),
  create(2),
  create(1, { syncType: 'manual' }),
  { kind: 'complete', sync: -1, synced: 3, failed: 0, details: false },
  { kind: 'start', sync: -1 },
  { kind: 'progress', sync: -1, synced: 1, failed: 0 },
  { kind: 'progress', sync: -1, synced: 0, failed: 0 },
  { kind: 'complete', sync: -1, synced: 2, failed: 1, details: true },
  create(1, { syncType: 'scheduled', upper: true, period: 1 }),
  { kind: 'fail', sync: -1, details: false },
  { kind: 'fail', sync: -1, details: true },
  { kind: 'list', org: 0, limit: 1 },
];

const DETAILS = { code: 'E', message: 'rejected', category: 'validation' as const, retryable: false };
const USER = '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f';

/** Run a sequence on one database; every outcome with ids replaced by stable names. */
async function run(db: Database, orgIds: string[], commands: Command[]): Promise<unknown> {
  const syncIds: string[] = [];
  const names = new Map<string, string>(orgIds.map((id, i) => [id, `org${i}`]));
  names.set(USER, 'user');
  const name = (log: SyncLog) => ({
    ...log,
    id: names.get(log.id) ?? 'unknown-id',
    organizationId: names.get(log.organizationId) ?? 'unknown-org',
    triggeredBy: log.triggeredBy === null ? null : (names.get(log.triggeredBy) ?? 'unknown-user'),
  });
  const outcomes: unknown[] = [];
  let minute = 0;
  const now = () => {
    minute += 1;
    return new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString();
  };
  for (const c of commands) {
    try {
      // A sync index picks one of the syncs created so far (negative counts from the newest, as the
      // scripted sequence uses -1); with none yet, an id no row has.
      const sync = () =>
        ('sync' in c ? syncIds.at(c.sync % Math.max(1, syncIds.length)) : undefined) ?? randomUUID();
      switch (c.kind) {
        case 'create': {
          const org = orgIds[c.org] as string;
          const { syncLog, warnings, replayed } = await db.syncLogs.create(
            {
              organizationId: c.upper ? org.toUpperCase() : org,
              accountingSystem: 'xledger',
              syncType: c.syncType,
              triggeredBy: c.withUser ? USER.toUpperCase() : null,
              periodStart: `2026-0${c.period + 1}-01T00:00:00.000Z`,
              periodEnd: `2026-0${c.period + 1}-28T00:00:00.000Z`,
              recordsTotal: c.total,
            },
            { now: now() },
          );
          syncIds.push(syncLog.id);
          names.set(syncLog.id, `sync${syncIds.length - 1}`);
          outcomes.push({ ok: name(syncLog), warnings, replayed });
          break;
        }
        case 'start':
          outcomes.push({ ok: name(await db.syncLogs.start(sync(), { now: now() })) });
          break;
        case 'progress':
          outcomes.push({
            ok: name(
              await db.syncLogs.reportProgress({
                id: sync(),
                recordsSynced: c.synced,
                recordsFailed: c.failed,
              }),
            ),
          });
          break;
        case 'complete': {
          const planned = await db.syncLogs.complete(
            {
              id: sync(),
              recordsSynced: c.synced,
              recordsFailed: c.failed,
              errorDetails: c.details ? DETAILS : null,
            },
            { now: now() },
          );
          outcomes.push({ ok: name(planned.syncLog), warnings: planned.warnings });
          break;
        }
        case 'fail':
          outcomes.push({
            ok: name(
              await db.syncLogs.fail(
                { id: sync(), errorDetails: c.details ? DETAILS : null },
                { now: now() },
              ),
            ),
          });
          break;
        case 'list': {
          const page = await db.syncLogs.list({ organizationId: orgIds[c.org], limit: c.limit });
          outcomes.push({ ok: page.items.map(name), more: page.nextCursor !== null });
          break;
        }
      }
    } catch (error) {
      if (!isDomainError(error)) throw error;
      outcomes.push({ error: error.code, issues: error.issues.map((i) => `${i.rule}:${i.path.join('.')}`) });
    }
  }
  const rows: unknown[] = [];
  for (const org of orgIds) {
    const page = await db.syncLogs.list({ organizationId: org, limit: 200 });
    rows.push(page.items.map(name));
    rows.push((await db.syncLogs.verifyChain(org)).ok);
  }
  return { outcomes, rows };
}

describe('SQLite and PostgreSQL agree on every command sequence', () => {
  let sqlite: TestDatabase;
  let pg: TestDatabase;
  beforeAll(async () => {
    [sqlite, pg] = await Promise.all([createTestDatabase('sqlite'), createTestDatabase('postgres')]);
  });
  afterAll(async () => {
    await Promise.all([sqlite?.drop(), pg?.drop()]);
  });

  it('gives the same results, errors and final rows', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        // Fresh organizations per run, with the same ids on both databases.
        const orgIds = Array.from({ length: ORGS }, () => randomUUID());
        for (const t of [sqlite, pg]) {
          for (const [i, id] of orgIds.entries()) {
            await t.db.organizations.create({ id, name: `Org ${i}` });
            await t.db.organizations.configureAccounting({
              organizationId: id,
              enabled: i !== 2,
              config: { accountingSystem: 'xledger' },
            });
          }
        }
        const onSqlite = await run(sqlite.db, orgIds, commands);
        const onPg = await run(pg.db, orgIds, commands);
        expect(onPg).toEqual(onSqlite);
        const { outcomes } = onSqlite as { outcomes: ({ ok: unknown } | { error: string })[] };
        outcomes.forEach((o, i) => {
          seen.add('error' in o ? `${commands[i]?.kind}:${o.error}` : `${commands[i]?.kind}:ok`);
        });
      }),
      { numRuns: 40, examples: [[SCRIPTED]] },
    );
    // The sequences reached the interesting places, so agreement means something.
    const expected = [
      'create:ok',
      'create:SYNC_ALREADY_ACTIVE',
      'create:ACCOUNTING_MODULE_DISABLED',
      'create:VALIDATION_FAILED',
      'start:ok',
      'progress:ok',
      'progress:VALIDATION_FAILED',
      'complete:ok',
      'complete:INVALID_STATUS_TRANSITION',
      'fail:ok',
      'fail:ERROR_DETAILS_REQUIRED',
    ];
    expect(
      expected.filter((outcome) => !seen.has(outcome)),
      [...seen].join(' '),
    ).toEqual([]);
  }, 240_000);
});
