import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Database, NewExpenseRecord } from '@meander/db';
import type { AccountingConnection } from '@meander/domain';
import { WORKER_OLD_SPACE_MIB } from '../heap-bound.js';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** A real worker process, as `pnpm --filter @meander/worker start` runs it (its heap bound too), on `databaseUrl`. */
export function spawnWorkerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { stdio?: 'ignore' | 'pipe' } = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
      `--max-old-space-size=${WORKER_OLD_SPACE_MIB}`,
      '--conditions=@meander/source',
      '--import',
      'tsx',
      join(ROOT, 'apps/worker/src/main.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: options.stdio ?? 'ignore',
    },
  );
}

/** One structured log line of a worker process (pino's JSON). */
export interface WorkerLogLine {
  msg?: string;
  level?: number;
  [key: string]: unknown;
}

/** A worker process whose logs the caller can wait on, instead of sleeping and hoping. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  /**
   * Resolves when the worker logged `worker started` (its queue is up and its start-up dispatch
   * ran); rejects as soon as it exits first, with its exit code and the end of its stderr.
   */
  readonly ready: Promise<void>;
  /** Every log line, parsed, as it arrives (`'log'` events). */
  readonly logs: EventEmitter<{ log: [WorkerLogLine] }>;
  /** SIGTERM (graceful: in-flight syncs finish or fail as WORKER_SHUTDOWN) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Start a real worker process (as {@link spawnWorkerProcess}) logging at info to a pipe this
 * process parses, so tests and benchmarks wait on the worker's own events with a deadline.
 */
export function startWorkerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { readyTimeoutMs?: number } = {},
): WorkerProcess {
  const child = spawnWorkerProcess(databaseUrl, { LOG_LEVEL: 'info', ...env }, { stdio: 'pipe' });
  const logs = new EventEmitter<{ log: [WorkerLogLine] }>();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        logs.emit('log', JSON.parse(line) as WorkerLogLine);
      } catch {
        // Not a log line (a stray print); nothing waits on it.
      }
    });
  }
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const timer = setTimeout(
      () => rejectReady(new Error(`worker ${child.pid} not ready after ${readyTimeoutMs} ms: ${stderr}`)),
      readyTimeoutMs,
    );
    const onLog = (line: WorkerLogLine) => {
      if (line.msg !== 'worker started') return;
      clearTimeout(timer);
      logs.off('log', onLog);
      resolveReady();
    };
    logs.on('log', onLog);
    void exited.then(([code, signal]) => {
      clearTimeout(timer);
      rejectReady(new Error(`worker ${child.pid} exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
  // A caller that never awaits `ready` must not get an unhandled rejection when it stops the child.
  ready.catch(() => undefined);
  return {
    child,
    ready,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/**
 * Resolve once `predicate` has held for log lines of `workers` (cumulatively: it sees each line and
 * says whether the wait is over), or reject after `timeoutMs` or as soon as a worker dies.
 */
export function waitForLogs(
  workers: readonly WorkerProcess[],
  predicate: (line: WorkerLogLine) => boolean,
  timeoutMs: number,
  describe = 'condition',
): Promise<void> {
  return new Promise<void>((resolveWait, rejectWait) => {
    const cleanups: (() => void)[] = [];
    const finish = (error?: Error) => {
      for (const c of cleanups) c();
      if (error) rejectWait(error);
      else resolveWait();
    };
    const timer = setTimeout(
      () => finish(new Error(`${describe}: not met within ${timeoutMs} ms`)),
      timeoutMs,
    );
    cleanups.push(() => clearTimeout(timer));
    for (const w of workers) {
      const onLog = (line: WorkerLogLine) => {
        if (predicate(line)) finish();
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        finish(new Error(`${describe}: worker ${w.child.pid} exited (${code ?? signal}) while waiting`));
      w.logs.on('log', onLog);
      w.child.on('exit', onExit);
      cleanups.push(() => {
        w.logs.off('log', onLog);
        w.child.off('exit', onExit);
      });
    }
  });
}

/** Peak resident set of a live process, from the kernel (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

/**
 * A new organization on `connection` with `count` approved expense records in October 2026,
 * inserted 5,000 at a time so seeding a large period never holds it all in memory.
 */
export async function seedLargePeriod(
  db: Database,
  connection: AccountingConnection,
  count: number,
): Promise<string> {
  const org = await db.organizations.create({ name: `Large period ${count}` });
  await db.organizations.configureAccounting({
    organizationId: org.id,
    enabled: true,
    config: { accountingSystem: 'xledger', connection },
  });
  const chunk: NewExpenseRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    chunk.push({
      organizationId: org.id,
      kind: 'expense_claim',
      amountMinor: 100 + (i % 9_000),
      currency: 'NOK',
      bookingDate: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
      account: '7100',
      approvalState: 'approved',
      description: 'Hotel night, conference',
    });
    if (chunk.length === 5_000) await db.expenseRecords.insertMany(chunk.splice(0));
  }
  await db.expenseRecords.insertMany(chunk.splice(0));
  return org.id;
}
