import { getHeapStatistics } from 'node:v8';

/**
 * The worker process's old-generation bound in MiB (`node --max-old-space-size`), as its start
 * scripts, compose.yaml and the test harness run it.
 *
 * Why a bound: a worker's live heap is small and set by its configuration, not by how many
 * organizations it serves (35 MiB in the middle of a 2,000-organization burst at
 * WORKER_CONCURRENCY 10: a heap snapshot). Unbounded, V8 on a 24 GiB machine lets garbage pile
 * up to a heap limit of 4 GiB before collecting in earnest, so the resident set drifted with the
 * length of the run (208 MiB after 2,000 organizations, 296 MiB after 10,000).
 *
 * Why 384 and not less: 192 held the same peak but collected so often that a worker spent +20 %
 * CPU a sync where the cores were the limit (4 processes on 2 cores: efficiency 0.67–0.70). Under
 * 384 a worker peaks at the same 178–193 MiB with the unbounded CPU a sync (README, "Performance").
 * Raise it with WORKER_CONCURRENCY × SYNC_BATCH_SIZE (README, "Deployment").
 */
export const WORKER_OLD_SPACE_MIB = 384;

/** The heap limit this process runs under (old generation + young), in MiB, for the start-up log. */
export function heapLimitMiB(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 1048576);
}
