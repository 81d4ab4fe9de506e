"""The real `vitrine serve` for the browser tests: one process on a free port with a fresh data
directory, and what the tests need to know about it, read where the server keeps it.

- keys: `vitrine license issue` (the CLI, on the same data directory and signing key);
- trial keys: the mail the server wrote to DATA/outbox/*.eml (dev mailer);
- generation counts and analytics: DATA/vitrine.sqlite (tables licenses, analytics_counts);
- "the server is gone": `stop()` ends the process (connections are refused), `start()` brings it
  back on the same port and data directory.

What left the browser is not recorded here: the tests read Chrome's own network log (CDP).

Environment: VITRINE_BIN (default .build/debug/vitrine). The server serves the Web/ of its
working directory, so it is started in the package root (VITRINE_WEB_DIR is left to the caller).

Run by hand: python3 Tests/browser/real_server.py  (prints a Pro key and the URL)
"""

from __future__ import annotations

import email
import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY_LINE = re.compile(r"^\s*key\s+(VTR-[0-9A-Z-]+)\s*$", re.M)
MAIL_KEY = re.compile(r"\b(VTR-[0-9A-Z-]{150,})\b")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealVitrine:
    def __init__(self, binary: str, data: Path | None = None, port: int | None = None):
        self.binary = binary
        self.data = Path(data or tempfile.mkdtemp(prefix="vitrine-browser-"))
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = self.data / "serve.log"

    # -- the process -----------------------------------------------------------------------
    def start(self, timeout: float = 60):
        assert self.process is None, "already running"
        started = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([self.binary, "serve", "--data", str(self.data), "--port", str(self.port)],
                                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"vitrine serve exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        self.started_s = time.monotonic() - started
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"vitrine serve did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self):
        """Ends the server (SIGTERM, then SIGKILL): from now on connections are refused."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    @property
    def running(self) -> bool:
        """True while started; False after `stop()`. A server that died by itself is an error."""
        if self.process is not None and self.process.poll() is not None:
            code, self.process = self.process.returncode, None
            raise AssertionError(f"vitrine serve died (exit {code}):\n{self.log_tail()}")
        return self.process is not None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- keys --------------------------------------------------------------------------------
    def cli(self, *args: str) -> str:
        run = subprocess.run([self.binary, *args, "--data", str(self.data)], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, f"vitrine {' '.join(args)} failed: {run.stderr.strip() or run.stdout.strip()}"
        return run.stdout

    def issue(self, tier: str, email_address: str | None = None) -> str:
        """A new license of `tier`, issued by the CLI (no mail); returns its key."""
        email_address = email_address or f"{tier}-{time.monotonic_ns()}@example.com"
        out = self.cli("license", "issue", "--email", email_address, "--tier", tier, "--no-mail")
        match = KEY_LINE.search(out)
        assert match, f"no key in `vitrine license issue` output:\n{out}"
        return match.group(1)

    def mailed_key(self, to: str, timeout: float = 30) -> str:
        """The key in the mail the server wrote to `to` (its outbox worker sends within seconds)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for path in sorted((self.data / "outbox").glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes())
                if message["To"] and message["To"].strip().lower() == to.lower():
                    text = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")
                    match = MAIL_KEY.search(text)
                    assert match, f"no key in the mail {path.name}:\n{text}"
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no mail to {to} in {self.data / 'outbox'} after {timeout:.0f} s")

    # -- the database ------------------------------------------------------------------------
    def query(self, sql: str, *args) -> list[tuple]:
        # Read-only, next to the running server (WAL: readers do not block it).
        db = sqlite3.connect(f"file:{self.data / 'vitrine.sqlite'}?mode=ro", uri=True, timeout=10)
        try:
            return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def generations_used(self, key: str | None = None) -> int:
        """generations_used of the license a key names (as issued), or summed over all licenses."""
        if key is None:
            return self.query("SELECT COALESCE(SUM(generations_used), 0) FROM licenses")[0][0]
        rows = self.query("SELECT generations_used FROM licenses WHERE key = ?", key)
        assert rows, f"the server has no license with key {key[:20]}…"
        return rows[0][0]

    def analytics(self) -> dict[tuple[str, str], int]:
        """{(event, detail): count} summed over days, as the server stored them."""
        return {(e, d): c for e, d, c in self.query("SELECT event, detail, SUM(count) FROM analytics_counts GROUP BY event, detail")}


if __name__ == "__main__":
    server = RealVitrine(os.environ.get("VITRINE_BIN", str(ROOT / ".build" / "debug" / "vitrine")),
                         port=int(os.environ.get("PORT", 8123)))
    server.start()
    print(f"vitrine serve at {server.url} (data {server.data})")
    print("Pro key:", server.issue("annual"))
    try:
        server.process.wait()
    except KeyboardInterrupt:
        server.stop()
