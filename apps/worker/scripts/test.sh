#!/bin/sh
# The worker package's `test`: two vitest runs side by side.
#
# The waiting lane: fencing-paused-worker (a 15 s ledger request held while its worker is paused,
# leases of 6 s, the successor waiting out the 30 s request timeout: ≈125 s a dialect, nearly all
# of it waiting), one file per dialect run at the same time, then bounded-memory (a CPU-bound
# minute and a half) in the slot the first to finish leaves. The rest of the package runs one file
# at a time in the other run. Run one after the other they were the test command's long pole
# (≈500 s); each run writes its own JSON report (scripts/test-summary.ts reads both).
# `pnpm exec vitest run` still runs everything in one process.
set -u
cd "$(dirname "$0")/.."
rm -f .vitest-result.json .vitest-result.waiting.json
pnpm exec vitest run test/fencing-paused-worker.sqlite.e2e.test.ts test/fencing-paused-worker.postgres.e2e.test.ts \
  test/bounded-memory.e2e.test.ts --maxWorkers=2 --outputFile.json=.vitest-result.waiting.json &
waiting=$!
pnpm exec vitest run --exclude 'test/fencing-paused-worker.*.e2e.test.ts' --exclude test/bounded-memory.e2e.test.ts
rest=$?
wait "$waiting"
waited=$?
# A run that died before writing its report still counts as a failed suite in the summary.
if [ ! -f .vitest-result.waiting.json ]; then
  echo '{"numPassedTests":0,"numFailedTests":1,"numPendingTests":0,"numFailedTestSuites":1,"success":false}' \
    >.vitest-result.waiting.json
fi
[ "$rest" -eq 0 ] && [ "$waited" -eq 0 ]
