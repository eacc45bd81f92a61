import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountingSystem } from '@meander/domain';
import postgres from 'postgres';
import { openDatabase } from '../index.js';
import type { Database, Dialect, RawConnection } from '../store/port.js';

/** Both dialects, for `describe.each(DIALECTS)`: every store behaviour runs on both. */
export const DIALECTS = ['sqlite', 'postgres'] as const satisfies readonly Dialect[];

/** The admin URL tests create their databases through. */
export const TEST_PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database, migrated, and how to drop it. */
export interface TestDatabase {
  db: Database;
  url: string;
  dialect: Dialect;
  /** Open another handle on the same database (a second process, in effect). */
  openAnother(options?: { poolSize?: number; sqliteCacheMiB?: number }): Promise<Database>;
  drop(): Promise<void>;
}

/**
 * Create a fresh database: SQLite in a temp folder, PostgreSQL as `meander_test_<random>` on the
 * local server. An unreachable PostgreSQL is an error, never a skip: CI must fail, not pass silently.
 */
export async function createTestDatabase(
  dialect: Dialect,
  options: { migrate?: boolean; poolSize?: number; sqliteCacheMiB?: number } = {},
): Promise<TestDatabase> {
  const handles: Database[] = [];
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'meander-test-'));
    const url = `file:${join(dir, 'test.db')}`;
    const db = await openDatabase(url, {
      migrate: options.migrate ?? true,
      sqliteCacheMiB: options.sqliteCacheMiB,
    });
    return {
      db,
      url,
      dialect,
      async openAnother(other = {}) {
        const handle = await openDatabase(url, { migrate: false, sqliteCacheMiB: other.sqliteCacheMiB });
        handles.push(handle);
        return handle;
      },
      async drop() {
        for (const h of handles) await h.close();
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  const name = `meander_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(TEST_PG_URL, { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL is required for the contract suite and could not be reached at ${TEST_PG_URL} ` +
        `(start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): ${String(error)}`,
    );
  }
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase(url.toString(), {
    migrate: options.migrate ?? true,
    poolSize: options.poolSize,
  });
  return {
    db,
    url: url.toString(),
    dialect,
    async openAnother(other = {}) {
      const handle = await openDatabase(url.toString(), { migrate: false, poolSize: other.poolSize });
      handles.push(handle);
      return handle;
    },
    async drop() {
      for (const h of handles) await h.close();
      await db.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** An organization with the accounting module in the given state (a fixture). */
export async function givenOrganization(
  db: Database,
  options: {
    enabled?: boolean;
    accountingSystem?: AccountingSystem;
    name?: string;
    connection?: Record<string, string>;
  } = {},
): Promise<{ id: string; name: string }> {
  const organization = await db.organizations.create({
    name: options.name ?? `Org ${randomBytes(3).toString('hex')}`,
  });
  await db.organizations.configureAccounting({
    organizationId: organization.id,
    enabled: options.enabled ?? true,
    config: {
      accountingSystem: options.accountingSystem ?? 'xledger',
      ...(options.connection ? { connection: options.connection } : {}),
    },
  });
  return organization;
}

/** A create command for `organizationId` with sensible defaults (a fixture). */
export function aCreateCommand(organizationId: string, overrides: Record<string, unknown> = {}) {
  return {
    organizationId,
    accountingSystem: 'xledger' as const,
    syncType: 'api' as const,
    periodStart: '2026-10-01T00:00:00.000Z',
    periodEnd: '2026-10-31T23:59:59.999Z',
    recordsTotal: 10,
    ...overrides,
  };
}

/** The trigger that makes every sync log start `pending` (migration 0010). */
const INSERT_PENDING_TRIGGER = 'trg_accounting_sync_logs_insert_pending';

/**
 * Switch the "created pending" rule off, as the database owner may, and return how to switch it
 * back on. Raw-SQL tests of row rules and benchmark seeds write finished rows directly; every other
 * rule (CHECKs, the other triggers) still holds. Never used by the product.
 */
export async function allowFinishedRowInserts(raw: RawConnection): Promise<() => Promise<void>> {
  if (raw.dialect === 'postgres') {
    await raw.sql.unsafe(`ALTER TABLE accounting_sync_logs DISABLE TRIGGER ${INSERT_PENDING_TRIGGER}`);
    return async () => {
      await raw.sql.unsafe(`ALTER TABLE accounting_sync_logs ENABLE TRIGGER ${INSERT_PENDING_TRIGGER}`);
    };
  }
  const c = raw.connection;
  const trigger = c
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
    .get(INSERT_PENDING_TRIGGER) as { sql: string } | undefined;
  if (!trigger) return async () => undefined;
  c.exec(`DROP TRIGGER ${INSERT_PENDING_TRIGGER}`);
  return async () => {
    c.exec(trigger.sql);
  };
}

/** Run `seed` with finished-row inserts allowed (see {@link allowFinishedRowInserts}). */
export async function seedingFinishedRows<T>(raw: RawConnection, seed: () => Promise<T> | T): Promise<T> {
  const restore = await allowFinishedRowInserts(raw);
  try {
    return await seed();
  } finally {
    await restore();
  }
}
