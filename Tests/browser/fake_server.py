"""A stand-in for `vitrine serve` in browser tests: serves Web/ and fakes the license API.

It answers like the real server (Sources/VitrineServer/Controllers/LicenseController.swift on
the server branch): trial, validate, generations and public-key, plus the analytics endpoint
the page calls (POST /api/v1/analytics -> 204). License keys are real: Ed25519-signed in the
VTR- Crockford base32 format, so the page's offline verification is exercised for real.

Every request is recorded (method, path, headers, body) so tests can check what left the page.
`down = True` makes it drop every connection unanswered, as a server that has gone away.

Run by hand: python3 Tests/browser/fake_server.py [--port 8123]  (prints a Pro and a trial key)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import os
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "Web"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CONTEXT = b"vitrine-license-v1"
TIERS = ["trial", "monthly", "annual", "lifetime"]
TRIAL_GENERATIONS = 3
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css",
         ".html": "text/html; charset=utf-8", ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml"}


def crockford_encode(data: bytes) -> str:
    out, buffer, bits = [], 0, 0
    for byte in data:
        buffer = (buffer << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append(ALPHABET[(buffer >> bits) & 31])
    if bits:
        out.append(ALPHABET[(buffer << (5 - bits)) & 31])
    return "".join(out)


def crockford_decode(text: str) -> bytes | None:
    values = []
    for c in text.upper():
        if c in "- ":
            continue
        c = {"O": "0", "I": "1", "L": "1"}.get(c, c)
        if c not in ALPHABET:
            return None
        values.append(ALPHABET.index(c))
    out, buffer, bits = bytearray(), 0, 0
    for v in values:
        buffer = (buffer << 5) | v
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append((buffer >> bits) & 0xFF)
    return bytes(out)


@dataclass
class License:
    id: uuid.UUID
    tier: str
    email: str | None
    expires: int | None
    used: int = 0
    revoked: bool = False


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes
    at: float


@dataclass
class FakeVitrine:
    """The fake's state; `serve()` starts it on a free port."""

    signer: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    licenses: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    outbox: list = field(default_factory=list)
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def public_raw(self) -> bytes:
        return self.signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def key_id(self) -> bytes:
        return hashlib.sha256(self.public_raw).digest()[:4]

    def issue(self, tier: str, email: str | None = None, expires: int | None = None, now: int | None = None) -> str:
        """A signed key for a new license of `tier` (expires: seconds since 1970, None = never)."""
        lid = uuid.uuid4()
        issued = int(now if now is not None else time.time())
        payload = bytes([1]) + self.key_id + lid.bytes + bytes([TIERS.index(tier)]) + struct.pack(">II", issued, expires or 0)
        signature = self.signer.sign(CONTEXT + payload)
        symbols = crockford_encode(payload + signature)
        with self.lock:
            self.licenses[lid] = License(lid, tier, email, expires)
        return "VTR-" + "-".join(symbols[i:i + 5] for i in range(0, len(symbols), 5))

    def lookup(self, key: str) -> tuple[License | None, tuple[int, dict] | None]:
        """The license a key names, or the (status, body) error the real server would give."""
        key = key.strip()
        if key[:3].upper() != "VTR":
            return None, (422, {"error": "invalid_key", "reason": "a license key starts with VTR-"})
        data = crockford_decode(key[3:])
        if data is None or len(data) != 94:
            return None, (422, {"error": "invalid_key", "reason": "the key is truncated or mistyped"})
        payload, signature = data[:30], data[30:]
        if payload[1:5] != self.key_id:
            return None, (422, {"error": "invalid_key", "reason": "the key names another server's signing key"})
        try:
            self.signer.public_key().verify(signature, CONTEXT + payload)
        except Exception:
            return None, (422, {"error": "invalid_key", "reason": "the key's signature does not match its contents: it was mistyped or altered"})
        lic = self.licenses.get(uuid.UUID(bytes=payload[5:21]))
        if lic is None:
            return None, (404, {"error": "unknown_license", "reason": "this server has no record of the key"})
        return lic, None

    def status(self, lic: License) -> str:
        if lic.revoked:
            return "revoked"
        if lic.expires and lic.expires <= time.time():
            return "expired"
        return "active"

    def left(self, lic: License) -> int | None:
        return max(0, TRIAL_GENERATIONS - lic.used) if lic.tier == "trial" else None

    # -- HTTP ------------------------------------------------------------------------------
    def answer(self, method: str, path: str, body: bytes) -> tuple[int, dict | None]:
        def parsed(fields):
            try:
                data = json.loads(body or b"null")
            except ValueError:
                return None, (400, {"error": "bad_json", "reason": "the body is not JSON"})
            if not isinstance(data, dict) or set(data) != set(fields) or not all(isinstance(data[f], str) for f in fields):
                return None, (400, {"error": "bad_request", "reason": f"expected exactly the string fields {', '.join(fields)}"})
            return data, None

        if method == "GET" and path == "/api/v1/license/public-key":
            import base64
            return 200, {"algorithm": "Ed25519", "public_key": base64.b64encode(self.public_raw).decode(),
                         "key_id": self.key_id.hex(), "key_prefix": "VTR-"}
        if method != "POST":
            return 405, {"error": "method_not_allowed", "reason": f"{method} {path}"}
        if path == "/api/v1/analytics":
            try:
                data = json.loads(body)
                ok = isinstance(data, dict) and isinstance(data.get("event"), str)
            except ValueError:
                ok = False
            return (204, None) if ok else (400, {"error": "bad_request", "reason": "expected {event, props}"})
        if path == "/api/v1/trial":
            data, error = parsed(["email"])
            if error:
                return error
            email = data["email"].strip().lower()
            if "@" not in email:
                return 400, {"error": "invalid_email", "reason": "an email address has an @"}
            with self.lock:
                known = any(lic.email == email for lic in self.licenses.values())
            if not known:
                self.outbox.append((email, self.issue("trial", email=email)))
            return 202, {"status": "accepted", "message": "If this address can start a trial, its license key is on its way by email."}
        if path in ("/api/v1/license/validate", "/api/v1/license/generations"):
            data, error = parsed(["key"])
            if error:
                return error
            lic, error = self.lookup(data["key"])
            if error:
                return error
            with self.lock:
                status = self.status(lic)
                if path.endswith("validate"):
                    return 200, {"valid": status == "active", "tier": lic.tier, "status": status,
                                 "expires_at": None if not lic.expires else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(lic.expires)),
                                 "generations_used": lic.used, "generations_left": self.left(lic)}
                reason = None if status == "active" else status
                if reason is None and lic.tier == "trial" and lic.used >= TRIAL_GENERATIONS:
                    reason = "exhausted"
                if reason:
                    return 200, {"allowed": False, "mark": lic.tier == "trial", "generations_left": self.left(lic), "reason": reason}
                lic.used += 1
                return 200, {"allowed": True, "mark": lic.tier == "trial", "generations_left": self.left(lic)}
        return 404, {"error": "not_found", "reason": f"no route {method} {path}"}

    def serve(self, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: tests read `requests` instead
                pass

            def handle_one(self, method: str):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                with fake.lock:
                    fake.requests.append(Recorded(method, self.path, dict(self.headers), body, time.time()))
                if fake.down:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if path.startswith("/api/"):
                    status, payload = fake.answer(method, path, body)
                    data = b"" if payload is None else json.dumps(payload).encode()
                    self.send_response(status)
                    if payload is not None:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.static(path, head=method == "HEAD")

            def static(self, path: str, head: bool):
                rel = path.lstrip("/") or "index.html"
                file = (WEB / rel).resolve()
                if WEB.resolve() not in file.parents or not file.is_file():
                    data = b"not found"
                    self.send_response(404)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                data = file.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", TYPES.get(file.suffix, mimetypes.guess_type(file.name)[0] or "application/octet-stream"))
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                if not head:
                    self.wfile.write(data)

            def do_GET(self):
                self.handle_one("GET")

            def do_HEAD(self):
                self.handle_one("HEAD")

            def do_POST(self):
                self.handle_one("POST")

        httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8123)))
    args = parser.parse_args()
    fake = FakeVitrine()
    server, url = fake.serve(args.port)
    print(f"serving {WEB} at {url}")
    print("Pro key:  ", fake.issue("annual", expires=int(time.time()) + 365 * 86400))
    print("trial key:", fake.issue("trial", email="you@example.com"))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()
