#!/bin/sh
# One entry point for a fresh machine that has only Node 20 and npm:
#   npm start  -> set-up, then the product on the embedded SQLite default with demo data
#   npm test   -> set-up, then every test (SQLite and PostgreSQL), typecheck, lint and knip included
# The same commands work as `pnpm start` / `pnpm test` once pnpm exists.
set -eu
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# better-sqlite3 compiles from source here; node-gyp must use the local Node headers.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

PNPM_VERSION=10.34.9
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then return; fi
  echo "› installing pnpm@$PNPM_VERSION (npm registry)"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
}

ensure_install() {
  # pnpm install is a quick no-op when node_modules already matches the lockfile.
  pnpm install --frozen-lockfile --prefer-offline --reporter=silent
}

ensure_postgres() {
  # The PostgreSQL half of the contract suite must run, never skip: start the local cluster if it is down.
  if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then return; fi
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "› starting the local PostgreSQL cluster"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
}

ensure_chromium() {
  # The admin console's browser suite drives Debian's Chromium (never a downloaded browser).
  if [ -x /usr/bin/chromium ]; then return; fi
  if command -v apt-get >/dev/null 2>&1; then
    echo "› installing Debian's chromium for the browser suite"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

typecheck() {
  # Two programs side by side: every Node package in one (tsconfig.workspace.json), the console.
  pnpm exec tsc -p tsconfig.workspace.json &
  node_packages=$!
  console_status=0
  pnpm exec tsc -p apps/admin/tsconfig.json || console_status=$?
  node_status=0
  wait "$node_packages" || node_status=$?
  [ "$node_status" -eq 0 ] && [ "$console_status" -eq 0 ]
}

cmd="${1:-}"
case "$cmd" in
  setup)
    ensure_pnpm; ensure_install ;;
  start)
    ensure_pnpm; ensure_install
    shift; exec pnpm exec tsx --conditions=@meander/source scripts/start.ts "$@" ;;
  test)
    ensure_pnpm; ensure_install; ensure_postgres; ensure_chromium
    typecheck
    pnpm exec biome check .
    # Unused files, exports and dependencies fail the run like a type error (config: knip.jsonc).
    pnpm exec knip --no-progress
    find packages apps tests bench -maxdepth 2 -name '.vitest-result*.json' -delete
    # The console the product serves (apps/admin/dist), built once before any suite starts: several
    # suites start the product (which builds a missing console) and the release suite's build of the
    # API carries it, so whichever came first rebuilt it under a browser suite reading it. Built
    # here, their builds are turbo cache hits that leave the files alone.
    pnpm exec turbo run build --filter=@meander/admin --output-logs=errors-only
    # Every package's suite (the reliability suite, bench's `test`, among them), two at a time,
    # longest first (scripts/run-suites.ts); even when one fails every suite runs, and the summary
    # decides the exit code.
    pnpm exec tsx scripts/run-suites.ts
    pnpm exec tsx scripts/test-summary.ts ;;
  typecheck)
    typecheck ;;
  *)
    echo "usage: scripts/bootstrap.sh setup|start|test|typecheck" >&2; exit 2 ;;
esac
