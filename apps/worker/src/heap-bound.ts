import { getHeapStatistics } from 'node:v8';

/**
 * The worker process's old-generation bound in MiB (`node --max-old-space-size`), as its start
 * scripts, compose.yaml and the test harness run it.
 *
 * Why a bound: a worker's live heap is small and set by its configuration, not by how many
 * organizations it serves (35 MiB in the middle of a 2,000-organization burst at
 * WORKER_CONCURRENCY 10: a heap snapshot). Unbounded, V8 on a 24 GiB machine lets garbage pile
 * up to a heap limit of 4 GiB before collecting in earnest, so the resident set drifted with the
 * length of the run (208 MiB after 2,000 organizations, 296 MiB after 10,000). Bounded, the same
 * burst by one process peaks at 191 MiB with the same CPU per sync; where the cores are the limit
 * the collector costs CPU (+20 % a sync at 4 processes on 2 cores: README, "Performance"). Raise it
 * with WORKER_CONCURRENCY × SYNC_BATCH_SIZE (README, "Deployment").
 */
export const WORKER_OLD_SPACE_MIB = 192;

/** The heap limit this process runs under (old generation + young), in MiB, for the start-up log. */
export function heapLimitMiB(): number {
  return Math.round(getHeapStatistics().heap_size_limit / 1048576);
}
