import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncLog } from '@meander/domain';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../src/migrations.js';
import { chainHash, GENESIS_HASH } from '../src/store/hash-chain.js';
import { redactForTombstone } from '../src/store/tombstone.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../src/testing/index.js';
import { rawExec, rawQuery } from './raw-sql.helpers.js';

/** A copy of a dialect's migration folder that stops before 0003: the previous version of the schema. */
function migrationsBefore0003(dialect: 'sqlite' | 'postgres'): { folder: string; cleanup(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'meander-mig-'));
  cpSync(MIGRATIONS[dialect], folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { idx: number }[] };
  journal.entries = journal.entries.filter((e) => e.idx < 3);
  writeFileSync(journalPath, JSON.stringify(journal));
  return { folder, cleanup: () => rmSync(folder, { recursive: true, force: true }) };
}

const DETAILS = {
  code: 'RECORDS_REJECTED',
  message: '1 of 3 rejected',
  category: 'validation' as const,
  retryable: false,
};
const SUMMARY = {
  formatVersion: '1',
  recordIds: ['a1', 'b2'],
  recordCount: 2,
  totalAmountMinor: '1000',
  currency: 'NOK',
};

describe.each(DIALECTS)('migration 0003 on a %s database made by 0000-0002', (dialect) => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.drop();
    t = undefined;
  });

  it('converts existing rows (sealed ones included) and the chain still verifies', async () => {
    t = await createTestDatabase(dialect, { migrate: false });
    const previous = migrationsBefore0003(dialect);
    const pg = dialect === 'postgres' ? postgres(t.url, { max: 1, onnotice: () => undefined }) : null;
    // A client drizzle never wrapped (drizzle replaces the json serializers of the client it wraps).
    const legacy = dialect === 'postgres' ? postgres(t.url, { max: 1, onnotice: () => undefined }) : null;
    try {
      if (t.db.raw.dialect === 'sqlite') {
        migrateSqlite(drizzleSqlite(t.db.raw.connection), { migrationsFolder: previous.folder });
      } else if (pg) {
        await migratePg(drizzlePg(pg), { migrationsFolder: previous.folder });
      }

      // Rows as the 0002 store wrote them: on PostgreSQL every JSON value went in as a JSON string.
      const legacyJson = (value: unknown) => JSON.stringify(value);
      const org = randomUUID();
      const other = randomUUID();
      const write = async (statement: string, params: unknown[]) => {
        if (t?.db.raw.dialect === 'sqlite') {
          t.db.raw.connection.prepare(statement.replaceAll('?j', '?')).run(...params);
          return;
        }
        let n = 0;
        // `?j` is a JSON column, bound as the 0002 store did: `${JSON.stringify(x)}::jsonb`.
        await legacy?.unsafe(
          statement.replace(/\?(j?)/g, (_, json: string) => `$${++n}${json ? '::jsonb' : ''}`),
          params as never[],
        );
      };
      for (const id of [org, other]) {
        await write('INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)', [
          id,
          `Org ${id.slice(0, 4)}`,
          '2026-01-01T00:00:00.000Z',
        ]);
        await write(
          "INSERT INTO module_configurations (organization_id, module, enabled, config, updated_at) VALUES (?, 'admin-accounting', ?, ?j, ?)",
          [
            id,
            dialect === 'sqlite' ? 1 : true,
            legacyJson({ accountingSystem: 'xledger' }),
            '2026-01-01T00:00:00.000Z',
          ],
        );
      }
      const base = (i: number, status: SyncLog['status']): SyncLog => ({
        id: randomUUID(),
        organizationId: org,
        accountingSystem: 'xledger',
        syncType: 'api',
        status,
        triggeredBy: null,
        periodStart: `2026-0${i + 1}-01T00:00:00.000Z`,
        periodEnd: `2026-0${i + 1}-28T00:00:00.000Z`,
        recordsTotal: 3,
        recordsSynced: status === 'success' ? 3 : status === 'partial' ? 2 : 0,
        recordsFailed: status === 'partial' ? 1 : 0,
        payloadSummary: status === 'success' ? SUMMARY : null,
        errorDetails: status === 'success' ? null : DETAILS,
        externalReferenceId: status === 'success' ? 'JE-1' : null,
        startedAt: `2026-0${i + 2}-01T00:00:00.000Z`,
        completedAt: `2026-0${i + 2}-01T00:01:00.000Z`,
        createdAt: `2026-0${i + 2}-01T00:00:00.000Z`,
      });
      const sealed = [base(0, 'success'), base(1, 'partial'), base(2, 'failed'), base(3, 'success')];
      let prev = GENESIS_HASH;
      const insert = `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, triggered_by,
        period_start, period_end, records_total, records_synced, records_failed, payload_summary, error_details,
        external_reference_id, started_at, completed_at, created_at, chain_seq, prev_hash, chain_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?j, ?j, ?, ?, ?, ?, ?, ?, ?)`;
      for (const [i, log] of sealed.entries()) {
        const hash = chainHash(prev, log);
        await write(insert, [
          log.id,
          log.organizationId,
          log.accountingSystem,
          log.syncType,
          log.status,
          log.triggeredBy,
          log.periodStart,
          log.periodEnd,
          log.recordsTotal,
          log.recordsSynced,
          log.recordsFailed,
          log.payloadSummary === null ? null : legacyJson(log.payloadSummary),
          log.errorDetails === null ? null : legacyJson(log.errorDetails),
          log.externalReferenceId,
          // SQLite rows written around the store may carry a non-canonical (but valid) datetime.
          dialect === 'sqlite' && i === 1 ? '2026-03-01T00:00:00Z' : log.startedAt,
          log.completedAt,
          log.createdAt,
          i + 1,
          prev,
          hash,
        ]);
        prev = hash;
      }
      // The third sealed row was deleted properly: tombstone first, then the row.
      const gone = sealed[2] as SyncLog;
      await write(
        `INSERT INTO accounting_sync_log_deletions (sync_log_id, organization_id, deleted_by, deleted_via, deleted_at,
          reason, legal_basis, chain_seq, chain_hash, prev_hash, redacted_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?j)`,
        [
          gone.id,
          org,
          randomUUID(),
          'audit-log-service',
          '2026-06-01T00:00:00.000Z',
          'Data subject request',
          'data_subject_request',
          3,
          chainHash(chainHash(chainHash(GENESIS_HASH, sealed[0] as SyncLog), sealed[1] as SyncLog), gone),
          chainHash(chainHash(GENESIS_HASH, sealed[0] as SyncLog), sealed[1] as SyncLog),
          legacyJson(redactForTombstone(gone)),
        ],
      );
      await write('DELETE FROM accounting_sync_logs WHERE id = ?', [gone.id]);
      const pendingId = randomUUID();
      await write(
        `INSERT INTO accounting_sync_logs (id, organization_id, accounting_system, sync_type, status, period_start, period_end,
          records_total, records_synced, records_failed, payload_summary, started_at, created_at)
          VALUES (?, ?, 'xledger', 'api', 'pending', '2026-09-01T00:00:00.000Z', '2026-09-30T00:00:00.000Z', 2, 0, 0, ?j, ?, ?)`,
        [pendingId, org, legacyJson(SUMMARY), '2026-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z'],
      );
      if (dialect === 'postgres') {
        // The defect 0003 repairs, reproduced: the value is a JSON string, not an object.
        expect(
          await rawQuery(
            t.db.raw,
            'SELECT jsonb_typeof(error_details) AS kind FROM accounting_sync_logs WHERE id = ?',
            [(sealed[1] as SyncLog).id],
          ),
        ).toEqual([{ kind: 'string' }]);
      }

      await migrate(t.url);
      const db = await t.openAnother();

      expect(await db.syncLogs.verifyChain(org)).toMatchObject({ ok: true, checked: 4, breaks: [] });
      const kind =
        dialect === 'sqlite'
          ? (column: string) => `json_type(${column})`
          : (column: string) => `jsonb_typeof(${column})`;
      const field = dialect === 'sqlite' ? "json_extract(error_details, '$.code')" : "error_details->>'code'";
      expect(
        await rawQuery(
          db.raw,
          `SELECT ${kind('error_details')} AS kind, ${field} AS code FROM accounting_sync_logs WHERE id = ?`,
          [(sealed[1] as SyncLog).id],
        ),
      ).toEqual([{ kind: 'object', code: 'RECORDS_REJECTED' }]);
      expect(
        await rawQuery(
          db.raw,
          `SELECT ${kind('payload_summary')} AS kind FROM accounting_sync_logs WHERE id IN (?, ?)`,
          [(sealed[0] as SyncLog).id, pendingId],
        ),
      ).toEqual([{ kind: 'object' }, { kind: 'object' }]);
      expect(
        await rawQuery(db.raw, `SELECT ${kind('redacted_row')} AS kind FROM accounting_sync_log_deletions`),
      ).toEqual([{ kind: 'object' }]);
      expect(await rawQuery(db.raw, `SELECT ${kind('config')} AS kind FROM module_configurations`)).toEqual([
        { kind: 'object' },
        { kind: 'object' },
      ]);
      expect((await db.organizations.getAccountingModule(org))?.config).toEqual({
        accountingSystem: 'xledger',
      });
      if (dialect === 'sqlite') {
        // Copied to the canonical text, which is also what the seal was computed over.
        expect(
          await rawQuery(db.raw, 'SELECT started_at FROM accounting_sync_logs WHERE id = ?', [
            (sealed[1] as SyncLog).id,
          ]),
        ).toEqual([{ started_at: '2026-03-01T00:00:00.000Z' }]);
      }
      // Sealed rows are still immutable, and the pending one runs to completion on the same chain.
      await expect(
        rawExec(db.raw, 'UPDATE accounting_sync_logs SET external_reference_id = ? WHERE id = ?', [
          'X',
          (sealed[0] as SyncLog).id,
        ]),
      ).rejects.toThrow(/RECORD_IMMUTABLE/);
      await db.syncLogs.start(pendingId);
      await db.syncLogs.complete({ id: pendingId, recordsSynced: 2, recordsFailed: 0 });
      expect(await db.syncLogs.verifyChain(org)).toMatchObject({ ok: true, checked: 5, breaks: [] });
    } finally {
      previous.cleanup();
      await pg?.end();
      await legacy?.end();
    }
  });
});
