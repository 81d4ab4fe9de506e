"""`vitrine serve` stops cleanly on SIGTERM while it is answering requests: in-flight requests finish,
the process exits 0. (Requests that arrived during the shutdown once found the databases already
closed, and Fluent trapped: exit 132.) On SQLite and on PostgreSQL.

Needs the built CLI (VITRINE_BIN, default .build/debug/vitrine); the PostgreSQL case needs
VITRINE_TEST_POSTGRES_URL (scripts/test.sh starts a server). Missing: skipped, except under CI=true.
"""

import os
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

from support import BINARY, free_port, need, wait_healthy


def hammer(port, stop):
    """Keeps GETting /healthz until `stop` is set; connection errors (the server going away) are expected."""
    while not stop.is_set():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as reply:
                reply.read()
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.01)


def stop_under_load(env, data):
    port = free_port()
    process = subprocess.Popen(
        [BINARY, "serve", "--data", data, "--port", str(port)], env=env, cwd=data,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    stop = threading.Event()
    threads = [threading.Thread(target=hammer, args=(port, stop)) for _ in range(16)]
    try:
        wait_healthy(port, process)
        for t in threads:
            t.start()
        time.sleep(1.5)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    finally:
        stop.set()
        for t in threads:
            if t.is_alive():
                t.join()
        if process.poll() is None:
            process.kill()
    return code, process.stderr.read().decode(errors="replace")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_sigterm_under_load_exits_cleanly(kind, request):
    need(BINARY.exists(), f"no vitrine binary at {BINARY} (swift build, or set VITRINE_BIN)")
    data = tempfile.mkdtemp(prefix="vitrine-stop-")
    env = dict(os.environ, VITRINE_LOG_LEVEL="warning", VITRINE_MAIL_WORKER="false")
    env.pop("DATABASE_URL", None)
    if kind == "postgres":
        env["DATABASE_URL"] = request.getfixturevalue("database")
        subprocess.run([BINARY, "migrate", "--data", data], env=env, check=True, capture_output=True)
    for attempt in range(3):  # the race needed a request to land mid-shutdown: try a few times
        code, errors = stop_under_load(env, data)
        assert code == 0, f"vitrine serve exited with {code} after SIGTERM under load (attempt {attempt + 1}):\n{errors[-3000:]}"
