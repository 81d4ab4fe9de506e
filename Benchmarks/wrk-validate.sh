#!/usr/bin/env bash
# Load test of POST /api/v1/license/validate on loopback (issue 4): a release build of
# `vitrine serve` on SQLite in a temp directory, one trial key issued with `vitrine license
# issue`, then wrk with 2 threads and 64 connections for 15 s. Prints req/s and p99.
#   Benchmarks/wrk-validate.sh [--scratch-path DIR] [--duration 15s] [--connections 64]
#   VITRINE=path/to/vitrine skips the build and times that (release) binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build
duration=15s
connections=64
while [ $# -gt 0 ]; do
  case "$1" in
    --scratch-path) scratch=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ -n "${VITRINE:-}" ]; then
  vitrine=$VITRINE
else
  swift build -c release --scratch-path "$scratch" --product vitrine 2>&1 | tail -n 1
  vitrine="$scratch/release/vitrine"
fi

data=$(mktemp -d /tmp/vitrine-wrk.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

export VITRINE_LOG_LEVEL=warning
key=$("$vitrine" license issue --data "$data" --email bench@example.com --tier trial --no-mail | awk '$1 == "key" { print $2 }')
[ -n "$key" ] || { echo "no key issued" >&2; exit 1; }
"$vitrine" serve --data "$data" --port "$port" &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"key\": \"$key\"}" "http://127.0.0.1:$port/api/v1/license/validate"
echo

echo "wrk -t2 -c$connections -d$duration POST /api/v1/license/validate ($(nproc) cores)"
VITRINE_KEY=$key wrk -t2 -c"$connections" -d"$duration" --latency -s Benchmarks/wrk-validate.lua \
  "http://127.0.0.1:$port/api/v1/license/validate"
