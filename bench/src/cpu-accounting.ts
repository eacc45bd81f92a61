/**
 * Where a burst's CPU went: the worker processes, this process (the emulators answering every
 * ledger request), and the PostgreSQL backends of the burst's database, next to what the whole
 * machine was busy with (other sessions included). On a shared 2-core machine this tells a drain
 * bound by the ledgers' latency from one bound by the cores.
 */

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a live process has used so far; 0 once it is gone. */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

interface MachineTicks {
  busy: number;
  total: number;
}

function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const n = values.map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the idle ones.
  const total = n.slice(0, 8).reduce((s, v) => s + v, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/** What one burst cost in CPU, in seconds, and how busy the machine was meanwhile. */
export interface BurstCpu {
  /** Each worker process's CPU seconds during the drain. */
  workerSeconds: number[];
  /** This process: the emulators (every ledger request's HTTP, JSON and bookkeeping) and the sampler. */
  emulatorSeconds: number;
  /** The PostgreSQL backends connected to the burst's database when the drain ended. */
  postgresSeconds: number;
  /** The burst's own CPU per sync (workers + emulators + PostgreSQL), in ms. */
  msPerSync: number;
  /** Cores the machine had, and how many of them were busy on average (everyone's work). */
  cores: number;
  machineBusyCores: number;
  /** The cores the burst itself kept busy on average (its CPU seconds ÷ the measured span). */
  burstBusyCores: number;
  /** One-minute load average at the end. */
  load: number;
}

/**
 * Starts counting now (the moment the schedules fall due): what the workers and the backends had
 * used before (start-up, seeding) is not the drain's.
 */
export function startCpuAccounting(before: { workerPids: number[]; postgresPids: number[] }): {
  finish(input: { workerPids: number[]; postgresPids: number[]; syncs: number }): BurstCpu;
} {
  const cpuAt = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuSeconds(pid)]));
  const workersAtStart = cpuAt(before.workerPids);
  const postgresAtStart = cpuAt(before.postgresPids);
  const machineAtStart = machineTicks();
  const ownAtStart = process.cpuUsage();
  const startedAt = performance.now();
  const since = (atStart: Map<number, number>, pid: number) =>
    processCpuSeconds(pid) - (atStart.get(pid) ?? 0);
  return {
    finish({ workerPids, postgresPids, syncs }) {
      const seconds = (performance.now() - startedAt) / 1000;
      const machine = machineTicks();
      const own = process.cpuUsage(ownAtStart);
      const workerSeconds = workerPids.map((pid) => since(workersAtStart, pid));
      const emulatorSeconds = (own.user + own.system) / 1e6;
      // Backends that ended before the drain did are missing: a lower bound.
      const postgresSeconds = postgresPids.reduce((s, pid) => s + since(postgresAtStart, pid), 0);
      const burstSeconds = workerSeconds.reduce((s, v) => s + v, 0) + emulatorSeconds + postgresSeconds;
      const cores = cpus().length;
      const busyShare =
        (machine.busy - machineAtStart.busy) / Math.max(1, machine.total - machineAtStart.total);
      return {
        workerSeconds: workerSeconds.map((s) => Math.round(s * 10) / 10),
        emulatorSeconds: Math.round(emulatorSeconds * 10) / 10,
        postgresSeconds: Math.round(postgresSeconds * 10) / 10,
        msPerSync: Math.round((burstSeconds * 1000) / Math.max(1, syncs)),
        cores,
        machineBusyCores: Math.round(busyShare * cores * 100) / 100,
        burstBusyCores: Math.round((burstSeconds / Math.max(1e-9, seconds)) * 100) / 100,
        load: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      };
    },
  };
}
