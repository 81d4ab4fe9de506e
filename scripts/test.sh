#!/usr/bin/env bash
# Runs every test Vitrine has: Swift unit and integration tests, the WebAssembly build and
# its node tests, and the comparison with independent peers (trimesh) on the shared meshes.
# Installs what the tests need from Debian's packages and PyPI when it is missing.
# On a laptop a missing peer skips its tests with a visible message; under CI=true it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared="$root/../shared/meshes/public"
out="$root/test-output"
mkdir -p "$out"
ci=${CI:-false}

step() { printf '\n== %s\n' "$*"; }
skip_or_fail() {
  if [ "$ci" = "true" ]; then echo "FAIL: $* (required under CI=true)"; exit 1; fi
  echo "SKIP: $*"
}

step "dependencies"
apt_missing=()
dpkg -s zlib1g-dev >/dev/null 2>&1 || apt_missing+=(zlib1g-dev)
command -v node >/dev/null 2>&1 || apt_missing+=(nodejs)
command -v openssl >/dev/null 2>&1 || apt_missing+=(openssl)  # certificates for the SMTP test peer
if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing from Debian: ${apt_missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
  else
    echo "missing Debian packages: ${apt_missing[*]} (install them with apt-get)"
  fi
fi
python_ok=true
if ! python3 -c 'import trimesh, numpy, stl, pytest, lxml, networkx' >/dev/null 2>&1; then
  echo "installing Python test peers from PyPI: trimesh numpy numpy-stl pytest lxml networkx"
  python3 -m pip install -q trimesh numpy numpy-stl pytest lxml networkx >/dev/null 2>&1 || python_ok=false
fi
python3 -c 'import trimesh, numpy, stl, pytest, lxml, networkx' >/dev/null 2>&1 || python_ok=false
# The SMTP deliverer tests send to a real SMTP server process: aiosmtpd (Tests/server/smtp_peer.py).
# The payment webhook tests sign with the providers' own libraries (Tests/server/test_billing_signatures.py).
if ! python3 -c 'import standardwebhooks, stripe' >/dev/null 2>&1; then
  echo "installing the webhook signers from PyPI: standardwebhooks stripe"
  python3 -m pip install -q 'standardwebhooks==1.1.0' 'stripe>=16,<17' >/dev/null 2>&1 || true
fi
python3 -c 'import standardwebhooks, stripe' >/dev/null 2>&1 || skip_or_fail "standardwebhooks or stripe could not be installed; the webhook signature tests are skipped"
if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "installing the SMTP test peer from PyPI: aiosmtpd"
  python3 -m pip install -q aiosmtpd >/dev/null 2>&1 || true
fi
python3 -c 'import aiosmtpd' >/dev/null 2>&1 || skip_or_fail "aiosmtpd could not be installed; the SMTP deliverer tests are skipped"

if [ ! -d "$shared" ]; then skip_or_fail "shared meshes not found at $shared"; fi

step "PostgreSQL for the server tests"
# Every server test runs on SQLite and on PostgreSQL. Unless VITRINE_TEST_POSTGRES_URL is already
# set, start a throwaway cluster on 127.0.0.1 (a free port, data under /tmp), stopped on exit.
pg_tmp=""
stop_postgres() {
  if [ -n "$pg_tmp" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_tmp/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_tmp"
  fi
}
trap stop_postgres EXIT
if [ -z "${VITRINE_TEST_POSTGRES_URL:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing PostgreSQL from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  if [ -n "$pg_bin" ] && [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
    pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    pg_tmp=$(mktemp -d /tmp/vitrine-pg.XXXXXX)
    chown postgres "$pg_tmp"
    runuser -u postgres -- "$pg_bin/initdb" -D "$pg_tmp/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$pg_tmp/data" -l "$pg_tmp/server.log" -w \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_tmp -c max_connections=300 -c fsync=off" start >/dev/null
    runuser -u postgres -- "$pg_bin/psql" -q -h "$pg_tmp" -p "$pg_port" -U postgres -d postgres \
      -c "CREATE ROLE vitrine LOGIN CREATEDB PASSWORD 'vitrine-test'" >/dev/null
    export VITRINE_TEST_POSTGRES_URL="postgres://vitrine:vitrine-test@127.0.0.1:$pg_port/postgres"
    echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port (data in $pg_tmp, removed on exit)"
  else
    skip_or_fail "PostgreSQL could not be started (needs root, runuser and Debian's postgresql); server tests run on SQLite only"
  fi
else
  echo "using VITRINE_TEST_POSTGRES_URL from the environment"
fi

step "swift build"
swift build --product vitrine 2>&1 | tail -n 3

step "swift test"
set +e
swift test > "$out/swift-test.log" 2>&1
status=$?
set -e
# Failures in full, passes as a count: the whole log is in test-output/swift-test.log.
grep -E '✘|error:|Expectation failed|Test run with|Executed [0-9]+ tests|^SKIP' "$out/swift-test.log" | grep -v '^\[' | tail -n 60 || true
if [ $status -ne 0 ]; then
  if [ -n "$pg_tmp" ] && [ -f "$pg_tmp/server.log" ]; then
    # The cluster is deleted on exit: keep its log and show what it refused.
    cp "$pg_tmp/server.log" "$out/postgres.log"
    echo "PostgreSQL errors during the tests (whole log in $out/postgres.log):"
    grep -E 'ERROR|FATAL' "$pg_tmp/server.log" | tail -n 20 || true
  fi
  echo "swift test failed (exit $status); see $out/swift-test.log"; exit 1
fi

step "WebAssembly build"
scripts/build-wasm.sh

step "native reference for the wasm tests"
vitrine="$root/.build/debug/vitrine"
if [ -d "$shared" ]; then
  mapfile -t files < <(find "$shared" -type f \( -iname '*.stl' -o -iname '*.obj' -o -iname '*.ply' \) | sort)
  "$vitrine" inspect --json "${files[@]}" > "$out/native.json" 2> "$out/native-errors.log" || true
  echo "native inspect: $(grep -c '"file"' "$out/native.json") files, $(wc -l < "$out/native-errors.log") failures"
fi

step "node tests (wasm)"
VITRINE_NATIVE_JSON="$out/native.json" VITRINE_BIN="$vitrine" node --test Tests/wasm/

step "peer checks (trimesh)"
if [ "$python_ok" = true ]; then
  VITRINE_BIN="$vitrine" python3 -m pytest -q Tests/peers
else
  skip_or_fail "Python peers (trimesh, numpy-stl, pytest) could not be installed"
fi

step "browser tests (headless Chromium)"
browser_ok=true
if ! { dpkg -s chromium >/dev/null 2>&1 && dpkg -s chromium-driver >/dev/null 2>&1; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Chromium from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } \
      || browser_ok=false
  else
    browser_ok=false
  fi
fi
if ! python3 -c 'import selenium' >/dev/null 2>&1; then
  python3 -m pip install -q selenium >/dev/null 2>&1 || browser_ok=false
fi
if [ "$browser_ok" = true ] && [ "$python_ok" = true ]; then
  # Its own pytest run: Tests/peers and Tests/browser each have a conftest of their own.
  VITRINE_BIN="$vitrine" python3 -m pytest -q Tests/browser
  VITRINE_BIN="$vitrine" node --test Tests/browser/
else
  skip_or_fail "headless Chromium + chromedriver (Debian) or selenium (PyPI) could not be installed"
fi

step "server processes (two vitrine serve on one PostgreSQL)"
if [ "$python_ok" = true ]; then
  VITRINE_BIN="$vitrine" python3 -m pytest -q Tests/server
else
  skip_or_fail "Python (pytest) could not be installed"
fi

echo
echo "all test stages passed"
