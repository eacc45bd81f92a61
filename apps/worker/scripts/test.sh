#!/bin/sh
# The worker package's `test`: two vitest runs side by side.
#
# fencing-paused-worker.e2e takes minutes, nearly all of it waiting (a 15 s ledger request held
# while its worker is paused, leases of 6 s, the successor waiting out the 30 s request timeout),
# and it ran after every other file of this package (~160 s between them), making the package the
# test command's long pole (318 s). Here it runs in its own vitest process beside the rest, which
# still run one file at a time among themselves as before; each run writes its own JSON report
# (scripts/test-summary.ts reads both). `pnpm exec vitest run` still runs everything in one process.
set -u
cd "$(dirname "$0")/.."
WAITING=test/fencing-paused-worker.e2e.test.ts
rm -f .vitest-result.json .vitest-result.fencing.json
pnpm exec vitest run "$WAITING" --outputFile.json=.vitest-result.fencing.json &
waiting=$!
pnpm exec vitest run --exclude "$WAITING"
rest=$?
wait "$waiting"
fenced=$?
# A run that died before writing its report still counts as a failed suite in the summary.
if [ ! -f .vitest-result.fencing.json ]; then
  echo '{"numPassedTests":0,"numFailedTests":1,"numPendingTests":0,"numFailedTestSuites":1,"success":false}' \
    >.vitest-result.fencing.json
fi
[ "$rest" -eq 0 ] && [ "$fenced" -eq 0 ]
