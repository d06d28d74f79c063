#!/usr/bin/env bash
# Crash test: kill the server with SIGKILL in the middle of `waybill bench`, start it again,
# and check that no acknowledged transfer was lost, no effect doubled, and every transfer went
# on to its end. The bench (in its own process) retries calls while the server is down and, at
# the end, verifies every transfer on both sides, their audit trails, and the webhooks it got;
# `waybill audit verify` then checks the hash chains.
#
# Usage: scripts/crash-test.sh [sqlite|postgres]   (postgres needs WAYBILL_TEST_POSTGRES_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-sqlite}
n=${CRASH_N:-1500}

tmp=$(mktemp -d)
cleanup() {
  [ -f "$tmp/server.pid" ] && kill -9 "$(cat "$tmp/server.pid")" 2>/dev/null || true
  [ -n "${schema:-}" ] && psql "$WAYBILL_TEST_POSTGRES_URL" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/waybill" ./cmd/waybill
W="$tmp/waybill"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export WAYBILL_HTTP_ADDR="127.0.0.1:$port" WAYBILL_HTTP_BASE_URL="http://127.0.0.1:$port"
export WAYBILL_KEYS_MASTER_KEY_FILE="$tmp/waybill.key" WAYBILL_LOG_LEVEL=warn
case "$kind" in
  sqlite) export WAYBILL_DATABASE_URL="sqlite:$tmp/crash.db" ;;
  postgres)
    : "${WAYBILL_TEST_POSTGRES_URL:?set WAYBILL_TEST_POSTGRES_URL}"
    schema="crash_$$"
    psql "$WAYBILL_TEST_POSTGRES_URL" -qc "CREATE SCHEMA $schema" >/dev/null
    sep='?'; case "$WAYBILL_TEST_POSTGRES_URL" in *\?*) sep='&' ;; esac
    export WAYBILL_DATABASE_URL="${WAYBILL_TEST_POSTGRES_URL}${sep}search_path=$schema"
    ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac

alpha=$("$W" vasp create --name "Alpha Crash" --country DE | awk '/id:/ {print $2}')
beta=$("$W" vasp create --name "Beta Crash" --country FR | awk '/id:/ {print $2}')
akey=$("$W" apikey create --vasp "$alpha" | sed -n 2p)
bkey=$("$W" apikey create --vasp "$beta" | sed -n 2p)

start_server() {
  "$W" serve >>"$tmp/server.log" 2>&1 &
  echo $! >"$tmp/server.pid"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start"; cat "$tmp/server.log"; return 1
}

start_server
"$W" bench --target "http://127.0.0.1:$port" --alpha-key "$akey" --beta-key "$bkey" -n "$n" -c 40 \
  --retry-for 90s --verify --json "$tmp/bench.json" >"$tmp/bench.out" 2>"$tmp/bench.err" &
bench=$!

# Kill the server once a good part of the run is acknowledged, mid-flight.
for _ in $(seq 1 600); do
  done_so_far=$( { tr '\r' '\n' <"$tmp/bench.err" | grep -o '[0-9]*/[0-9]* completed' | tail -1 | cut -d/ -f1; } 2>/dev/null || true)
  [ "${done_so_far:-0}" -ge $((n / 3)) ] && break
  sleep 0.1
done
echo "crash test ($kind): SIGKILL after ${done_so_far:-0} of $n lifecycles"
kill -9 "$(cat "$tmp/server.pid")"
sleep 1
start_server
echo "crash test ($kind): server restarted"

status=0
wait "$bench" || status=$?
cat "$tmp/bench.out"
if [ "$status" -ne 0 ]; then
  echo "crash test ($kind): FAILED (bench exit $status)"; tail -20 "$tmp/server.log"; exit 1
fi
"$W" audit verify
echo "crash test ($kind): ok"
