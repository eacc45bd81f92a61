import type { ChildProcess } from 'node:child_process';
import type { RunningEmulators } from '@meander/accounting/emulators';
import type { Dialect } from '@meander/db';
import { createTestDatabase, type TestDatabase } from '@meander/db/testing';
import type { AccountingSystem } from '@meander/domain';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  startWorkerProcess,
  type WorkerLogLine,
  type WorkerProcess,
  waitForLogs,
} from '../../src/testing/worker-process.js';
import {
  emulators,
  eventually,
  givenConnectedOrganization,
  ledgerCounts,
  PERIOD,
  terminal,
} from '../fixtures.js';

/**
 * Issue 22 item 4, with real processes: a worker paused (SIGSTOP: a GC pause, a stopped VM) while
 * a write of its sync is in flight (the emulator holds it 15 s, far longer than the lease) stays paused
 * past its lease. Another worker process reaps it and runs a new export of the same period to its
 * end — its first read-back waits for the write in flight to land; then the paused worker resumes
 * (SIGCONT). Its lease is gone, so it writes nothing more and records nothing over its successor:
 * the emulator's ledger holds every record exactly once. One file per dialect
 * (`fencing-paused-worker.<dialect>.e2e`), so the two dialects' waits overlap (apps/worker/scripts/test.sh).
 */
export function pausedWorkerSuite(dialect: Dialect): void {
  describe(`a paused worker and its successor, on ${dialect}`, () => {
    const children: ChildProcess[] = [];
    let t: TestDatabase;
    let emu: RunningEmulators;
    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      emu = await emulators();
    });
    afterEach(() => {
      for (const c of children.splice(0)) {
        if (c.exitCode !== null || c.signalCode !== null) continue;
        c.kill('SIGCONT');
        c.kill('SIGKILL');
      }
    });
    afterAll(async () => {
      await emu?.close();
      await t?.drop();
    });

    const env = {
      SYNC_QUEUE: dialect === 'postgres' ? 'pg-boss' : 'inline',
      // A lease of 6 s, renewed every 1.5 s; the reaper looks as often. With 2 s the successor lost
      // its own lease on a loaded CI machine (a commit stalled while other suites created and dropped
      // databases), and the reaper failed it as WORKER_LOST: a test artefact, not the protocol.
      SYNC_STALE_AFTER_SECONDS: '6',
      SYNC_BATCH_SIZE: '5',
      WORKER_CONCURRENCY: '1',
    };
    const workerIds = new Map<WorkerProcess, string>();
    function node(id: string): WorkerProcess {
      const w = startWorkerProcess(t.url, { ...env, WORKER_ID: id }, { readyTimeoutMs: 120_000 });
      children.push(w.child);
      workerIds.set(w, id);
      return w;
    }
    /** The worker id that claimed a sync (the store keeps it beside the spec's columns). */
    async function claimedBy(id: string): Promise<string> {
      const raw = t.db.raw;
      const rows =
        raw.dialect === 'sqlite'
          ? (raw.connection.prepare('SELECT claimed_by FROM accounting_sync_logs WHERE id = ?').all(id) as {
              claimed_by: string;
            }[])
          : await raw.sql<
              { claimed_by: string }[]
            >`SELECT claimed_by FROM accounting_sync_logs WHERE id = ${id}`;
      return String(rows[0]?.claimed_by);
    }

    /**
     * SIGSTOP, but never while the process holds SQLite's write lock (a synchronous statement can
     * be caught mid-way): the test's connection tries the lock without waiting; when it is held the
     * process runs on for one turn and is stopped again.
     */
    async function pause(w: WorkerProcess): Promise<void> {
      for (;;) {
        w.child.kill('SIGSTOP');
        if (t.db.raw.dialect !== 'sqlite') return;
        const connection = t.db.raw.connection;
        connection.pragma('busy_timeout = 0');
        try {
          connection.exec('BEGIN IMMEDIATE');
          connection.exec('ROLLBACK');
          return;
        } catch {
          w.child.kill('SIGCONT');
          await new Promise((r) => setImmediate(r));
        } finally {
          connection.pragma('busy_timeout = 5000');
        }
      }
    }

    it.each(['xledger', 'dynamics'] as const)(
      '%s: paused mid-write past its lease, a successor exports the period, the worker resumes — every record once',
      async (system: AccountingSystem) => {
        const org = await givenConnectedOrganization(t.db, emu, system, 30);
        const posted = () =>
          [...ledgerCounts(emu, system, org.recordIds).values()].filter((n) => n > 0).length;
        emu.setFaults(system, { latencyMs: 200 });
        // Two worker processes; whichever claims the sync is paused, the other is its successor.
        const nodes = [node(`a-${system}`), node(`b-${system}`)];
        const lines: WorkerLogLine[] = [];
        for (const w of nodes) w.logs.on('log', (line) => lines.push(line));
        await Promise.all(nodes.map((w) => w.ready));
        const { syncLog: first } = await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: system,
          syncType: 'api',
          recordsTotal: 30,
          ...PERIOD,
        });
        await eventually(async () => posted() >= 5, 60_000);
        const holderId = await claimedBy(first.id);
        const paused = nodes.find((w) => workerIds.get(w) === holderId) as WorkerProcess;
        expect(paused).toBeDefined();

        // The holder's next request takes 15 s at the ledger (under the 30 s request timeout): pause
        // the holder while it is in flight. Business Central's emulator counts a write as it arrives,
        // so there it is a write, landing long after the lease (6 s) expired; Xledger's counts writes
        // only once applied, so there the request in flight may be a read. (The successor's wait
        // itself is pinned by runner.fencing.test.ts; here the whole protocol is judged by the ledger.)
        const seen = emu.stats(system);
        emu.setFaults(system, { latencyMs: 15_000 });
        await eventually(async () => {
          const now = emu.stats(system);
          return system === 'dynamics' ? now.writes > seen.writes : now.requests > seen.requests;
          // Every request now takes 15 s, and Business Central reads two or three times (journal
          // lines, the G/L) before its next write: allow several of them on a loaded machine.
        }, 120_000);
        await pause(paused);
        emu.setFaults(system, {}); // the successor's requests are fast; the one in flight keeps its 15 s
        expect(posted()).toBeLessThan(30);

        // The successor's reaper fails the paused sync once its lease expired.
        const reaped = await eventually(async () => terminal(await t.db.syncLogs.get(first.id)), 60_000);
        expect(reaped).toMatchObject({ status: 'failed', errorDetails: { code: 'WORKER_LOST' } });
        const { syncLog: next } = await t.db.syncLogs.create({
          organizationId: org.id,
          accountingSystem: system,
          syncType: 'api',
          recordsTotal: 30,
          ...PERIOD,
        });
        // It waits out the paused worker's last possible write (lease expiry + the 30 s request
        // timeout) before its first read-back, which therefore sees that write: it posts only the rest.
        const done = await eventually(async () => terminal(await t.db.syncLogs.get(next.id)), 120_000);
        // On failure the assertion shows why the successor ended as it did, and what the workers logged about it.
        expect({
          ...done,
          why:
            done?.status === 'success'
              ? undefined
              : lines.filter((l) => l.syncLogId === next.id || Number(l.level) >= 40),
        }).toMatchObject({ status: 'success', recordsSynced: 30, recordsFailed: 0, why: undefined });
        const waited = lines.find(
          (l) => l.syncLogId === next.id && String(l.msg).startsWith('waiting out the reaped attempt'),
        );
        expect(Number(waited?.waitMs)).toBeGreaterThan(0);

        // The paused worker wakes up: its lease is gone, so it stops without a write or a record.
        paused.child.kill('SIGCONT');
        await waitForLogs(
          [paused],
          (l) =>
            l.syncLogId === first.id &&
            (l.msg === 'sync stopped: lease lost, nothing recorded' ||
              l.msg === 'sync ended elsewhere while running'),
          60_000,
          'the resumed worker gave up its sync',
        );
        await Promise.all(nodes.map((w) => w.stop()));
        // Whatever the resumed worker had on the wire has landed: the ledger is final.
        await emu.idle();
        const counts = ledgerCounts(emu, system, org.recordIds);
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        expect(await t.db.syncLogs.get(first.id)).toMatchObject({
          status: 'failed',
          errorDetails: { code: 'WORKER_LOST' },
        });
        expect((await t.db.syncLogs.get(next.id))?.status).toBe('success');
      },
      300_000,
    );
  });
}
