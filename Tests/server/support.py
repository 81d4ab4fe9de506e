"""What the pytest server tests share: the CI rule for missing tools, free ports, JSON posts and
waiting for a `vitrine serve` process to answer /healthz."""

import json
import os
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI") == "true"
BINARY = Path(os.environ.get("VITRINE_BIN", ROOT / ".build" / "debug" / "vitrine"))


def need(condition, why):
    """Skips the test with `why` unless `condition`; under CI=true a missing need is a failure."""
    if not condition:
        if CI:
            pytest.fail(why + " (required under CI=true)")
        pytest.skip(why)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, headers=None, timeout=30):
    """POSTs `body` (bytes as they are, anything else as JSON); returns (status, decoded JSON reply)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def wait_healthy(port, process, seconds=60):
    """Waits until the server on `port` answers /healthz with 200; fails if `process` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"vitrine serve on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"vitrine serve on port {port} did not become healthy in {seconds} s")
