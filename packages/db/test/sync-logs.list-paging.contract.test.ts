import type { SyncLog } from '@meander/domain';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aCreateCommand,
  createTestDatabase,
  DIALECTS,
  givenOrganization,
  type TestDatabase,
} from '../src/testing/index.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute)).toISOString();

/**
 * syncLogs.list pages by the immutable (created_at, id): rows that start (startedAt moves) or finish
 * while a client pages are neither skipped nor repeated.
 */
describe.each(DIALECTS)('syncLogs.list paging on %s', (dialect) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await t?.drop();
  });

  it('returns every row exactly once while rows move from pending to in_progress between pages', async () => {
    // Eight organizations, one pending sync each, created a minute apart.
    const created: SyncLog[] = [];
    for (let i = 0; i < 8; i += 1) {
      const org = await givenOrganization(t.db);
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), { now: at(i) });
      created.push(syncLog);
    }
    const seen: string[] = [];
    let page = await t.db.syncLogs.list({ accountingSystem: 'xledger', limit: 3 });
    seen.push(...page.items.map((s) => s.id));
    // Newest first: the first page is the three created last.
    expect(page.items.map((s) => s.id)).toEqual(
      created
        .slice(5)
        .reverse()
        .map((s) => s.id),
    );
    // Rows the client has not read yet start now: their startedAt becomes the newest of all, which
    // would move them into the page already read under a startedAt keyset.
    let minute = 30;
    for (const s of created.slice(0, 5)) {
      if (!seen.includes(s.id) && minute < 33) {
        await t.db.syncLogs.start(s.id, { now: at(minute) });
        minute += 1;
      }
    }
    // And a row already read finishes, moving the other way.
    const read = created[7] as SyncLog;
    await t.db.syncLogs.start(read.id, { now: at(40) });
    await t.db.syncLogs.complete({ id: read.id, recordsSynced: 10, recordsFailed: 0 }, { now: at(41) });

    while (page.nextCursor) {
      page = await t.db.syncLogs.list({ accountingSystem: 'xledger', limit: 3, cursor: page.nextCursor });
      seen.push(...page.items.map((s) => s.id));
      // A row starting between every page, too.
      const next = created.find((s) => !seen.includes(s.id));
      if (next && (await t.db.syncLogs.get(next.id))?.status === 'pending') {
        await t.db.syncLogs.start(next.id, { now: at(minute) });
        minute += 1;
      }
    }
    expect(seen).toHaveLength(created.length);
    expect(new Set(seen).size).toBe(created.length);
    expect([...seen].sort()).toEqual(created.map((s) => s.id).sort());
  });

  it('keeps newest startedAt first within an organization', async () => {
    const org = await givenOrganization(t.db);
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const { syncLog } = await t.db.syncLogs.create(aCreateCommand(org.id), { now: at(i * 10) });
      await t.db.syncLogs.start(syncLog.id, { now: at(i * 10 + 2) });
      await t.db.syncLogs.complete(
        { id: syncLog.id, recordsSynced: 10, recordsFailed: 0 },
        { now: at(i * 10 + 3) },
      );
      ids.push(syncLog.id);
    }
    const { syncLog: pending } = await t.db.syncLogs.create(aCreateCommand(org.id), { now: at(50) });
    const all: SyncLog[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.db.syncLogs.list({ organizationId: org.id, limit: 2, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all.map((s) => s.id)).toEqual([pending.id, ...[...ids].reverse()]);
    const started = all.map((s) => Date.parse(s.startedAt));
    expect(started).toEqual([...started].sort((a, b) => b - a));
  });
});
