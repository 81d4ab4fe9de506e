"""Helpers for the browser tests: where things are, the native CLI check, a Chromium wrapper
with the DevTools calls the tests need, and page actions (open a mesh, save a key, generate).
(Kept out of conftest.py so test files can import them without clashing with other suites' conftest.)

Environment: CHROMIUM (default /usr/bin/chromium), CHROMEDRIVER (/usr/bin/chromedriver),
VITRINE_BIN (native CLI for checking downloads; default .build/debug/vitrine),
VITRINE_MESHES (default ../shared/meshes/public), CI=true turns skips into failures.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from real_server import ROOT

CI = os.environ.get("CI") == "true"
MESHES = Path(os.environ.get("VITRINE_MESHES", ROOT.parent / "shared" / "meshes" / "public"))
DOCS = ROOT / "docs"


def skip_or_fail(why: str):
    if CI:
        pytest.fail(f"{why} (required under CI=true)")
    pytest.skip(why)


def mesh(relative: str) -> Path:
    path = MESHES / relative
    if not path.exists():
        skip_or_fail(f"missing test mesh {path}")
    return path


def vitrine_bin() -> str:
    candidates = [os.environ.get("VITRINE_BIN"), str(ROOT / ".build" / "debug" / "vitrine")]
    found = next((c for c in candidates if c and Path(c).exists()), None)
    if not found:
        skip_or_fail("no native vitrine to check downloads with: set VITRINE_BIN or build .build/debug/vitrine")
    return found


def inspect(path: Path) -> dict:
    run = subprocess.run([vitrine_bin(), "inspect", "--json", str(path)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"vitrine inspect {path.name} failed: {run.stderr.strip()}"
    return json.loads(run.stdout)


class Browser:
    """A Chromium driven by selenium, with CDP shortcuts the tests need."""

    def __init__(self, driver, downloads: Path, base: str):
        self.driver = driver
        self.downloads = downloads
        self.base = base
        self.console_messages: list[tuple[str, str]] = []
        self.netlog: Path | None = None   # Chrome's NetLog file (set by the fixture)
        self.closed = False

    def quit(self):
        """Ends Chromium (once); its NetLog is complete from then on."""
        if not self.closed:
            try:
                self.console()   # what the page logged is gone with the browser
            finally:
                self.closed = True
                self.driver.quit()

    def cdp(self, method: str, params: dict | None = None):
        return self.driver.execute_cdp_cmd(method, params or {})

    def open(self, path: str = "/"):
        self.driver.get(self.base + path)
        self.wait(lambda: self.js("return document.readyState") == "complete", "page load")

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, what: str, timeout: float = 60):
        # Polls a condition in the page (no fixed sleeps): fails naming what never happened.
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = condition()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    def text(self, element_id: str) -> str:
        return self.js("return document.getElementById(arguments[0]).textContent", element_id)

    def network_log(self) -> list[dict]:
        """Chrome's Network.* events since the last call (performance log)."""
        events = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"].startswith("Network."):
                events.append(message)
        return events

    def console(self) -> list[tuple[str, str]]:
        """The page's console since the start of the test, as (level, message)."""
        if not self.closed:
            self.console_messages += [(e["level"], e["message"]) for e in self.driver.get_log("browser")]
        return self.console_messages

    def post_data(self, event: dict) -> str:
        """A logged request's body; Chrome leaves large ones out of the log, so they are asked for."""
        request = event["params"]["request"]
        if "postData" in request or not request.get("hasPostData"):
            return request.get("postData", "")
        try:
            return self.cdp("Network.getRequestPostData", {"requestId": event["params"]["requestId"]})["postData"]
        except Exception as error:  # the check must not pass on a body it could not see
            raise AssertionError(f"cannot read the body of {request['method']} {request['url']}: {error}")

    def offline(self, on: bool):
        self.cdp("Network.enable")
        self.cdp("Network.emulateNetworkConditions", {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})

    def download(self, button_id: str, suffix: str, timeout: float = 120) -> Path:
        before = set(self.downloads.iterdir())
        self.driver.find_element("id", button_id).click()

        def done():
            new = [p for p in self.downloads.iterdir() if p not in before and p.name.endswith(suffix)]
            return new[0] if new and not any(p.name.endswith(".crdownload") for p in self.downloads.iterdir()) else None

        return self.wait(done, f"the {suffix} download", timeout)



WYRMLING = "figures/rpgscad_wyrmling.stl"


def decline_consent(b):
    b.wait(lambda: b.js("return !document.getElementById('consent').hidden"), "the consent banner")
    b.driver.find_element("id", "consent-decline").click()


def save_key(b, key: str):
    b.js("document.getElementById('license-key').value = arguments[0]", key)
    b.driver.find_element("css selector", "#key-form button[type=submit]").click()
    b.wait(lambda: b.js("return document.getElementById('license-status').dataset.tier"), "the license status")


def open_mesh(b, path: Path):
    b.driver.find_element("id", "file-input").send_keys(str(path))
    b.wait(lambda: b.js("return !document.getElementById('generate').disabled || !document.getElementById('error').hidden"),
           f"{path.name} to open")
    error = b.js("return document.getElementById('error').hidden ? '' : document.getElementById('error').textContent")
    assert not error, f"opening {path.name}: {error}"


def set_option(b, name: str, value):
    b.js("const f = document.getElementById('options').elements[arguments[0]]; f.value = arguments[1];"
         "f.dispatchEvent(new Event('change', {bubbles: true}))", name, str(value))


def generate(b, timeout: float = 240) -> dict:
    """Clicks Generate; returns {ok, status, error, shown_ms, mark}."""
    b.js("delete document.getElementById('status').dataset.shownMs")
    b.driver.find_element("id", "generate").click()
    b.wait(lambda: b.js("const s = document.getElementById('status'); return !!s.dataset.shownMs || "
                        "(!document.getElementById('error').hidden && !document.getElementById('generate').disabled)"),
           "the case (or an error)", timeout)
    return b.js("""const s = document.getElementById('status'), e = document.getElementById('error');
      return {ok: !!s.dataset.shownMs, status: s.textContent, error: e.hidden ? '' : e.textContent,
              shown_ms: Number(s.dataset.shownMs || 0), engine_ms: Number(s.dataset.engineMs || 0), timing: s.dataset.timing || '', mark: s.dataset.mark === 'true'}""")


def pro_key(server) -> str:
    return server.issue("annual")


def requests_sent(events: list[dict]) -> list[dict]:
    """The Network.requestWillBeSent events of a network log (data: and blob: URLs left out)."""
    return [e for e in events if e["method"] == "Network.requestWillBeSent"
            and urlparse(e["params"]["request"]["url"]).scheme not in ("data", "blob")]


def responses(events: list[dict]) -> dict[str, int]:
    """HTTP status by request id."""
    return {e["params"]["requestId"]: e["params"]["response"]["status"] for e in events if e["method"] == "Network.responseReceived"}


def netlog(path: Path) -> tuple[list[dict], bytes]:
    """Chrome's NetLog of a finished browser: every URL request any part of it made (page, Web
    Worker, service worker, Chrome itself) with its params, and all bytes it wrote to sockets."""
    text = path.read_text()
    try:
        data = json.loads(text)
    except ValueError:  # a browser that died leaves the events list unterminated
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    requests, sent = [], bytearray()
    for e in data["events"]:
        kind = types.get(e["type"])
        if kind == "URL_REQUEST_START_JOB" and "url" in e.get("params", {}):
            requests.append(e["params"])
        elif kind == "SOCKET_BYTES_SENT" and "bytes" in e.get("params", {}):
            sent += base64.b64decode(e["params"]["bytes"])
    return requests, bytes(sent)


def page_requests(requests: list[dict], origin: str) -> list[dict]:
    """The requests the page made (their initiator is an origin on the page's host: the page, its
    Web Worker and its service worker), not Chrome's own traffic ("not an origin": the test's
    navigations, and Chrome's autofill, update and account calls, which no page can cause or stop)."""
    host = urlparse(origin).hostname
    return [r for r in requests if urlparse(r.get("initiator", "")).hostname == host]


def assert_same_origin_in_netlog(b, server) -> list[dict]:
    """Every request made for the page, by any part of Chrome, went to the page's own origin."""
    requests, _ = netlog(b.netlog)
    mine = page_requests(requests, server.url)
    origin = urlparse(server.url)
    left = [r["url"] for r in mine if (urlparse(r["url"]).scheme, urlparse(r["url"]).netloc) != (origin.scheme, origin.netloc)
            and urlparse(r["url"]).scheme not in ("data", "blob")]
    assert not left, f"requests left the page's origin {server.url}: {left}"
    return mine


def assert_model_not_sent(b, model_bytes: bytes, witness: bytes):
    """Not one piece of the model in all the bytes Chrome wrote to any socket (plain HTTP to the
    test server, so request bodies are there as sent). `witness` is something the page did send
    in a request body (the license key): it must be found, or the check would prove nothing."""
    _, sent = netlog(b.netlog)
    assert witness in sent, "the NetLog does not show request bodies: the check would prove nothing"
    for i in range(84, max(85, len(model_bytes) - 48), max(1, len(model_bytes) // 64)):
        p = model_bytes[i:i + 48]
        assert p not in sent and base64.b64encode(p)[:40] not in sent, f"model bytes at offset {i} were sent"


def assert_private(b, server, model_bytes: bytes, events: list[dict]):
    """Every request went to the page's own origin (the real server) and none carried a piece of
    the model: Chrome's own network log is the witness, bodies included."""
    origin = urlparse(server.url)
    probes = [model_bytes[i:i + 48] for i in range(84, max(85, len(model_bytes) - 48), max(1, len(model_bytes) // 16))]
    sent = requests_sent(events)
    for e in sent:
        request = e["params"]["request"]
        url = urlparse(request["url"])
        assert (url.scheme, url.netloc) == (origin.scheme, origin.netloc), f"request left the origin: {request['url']}"
        body = b.post_data(e)
        if body:
            # Chrome's log gives bodies as text; the model's bytes may appear as latin-1 or base64.
            for p in probes:
                assert p.decode("latin-1") not in body and base64.b64encode(p).decode()[:40] not in body, \
                    f"{request['url']} carries model bytes"
    assert sent, "the network log recorded nothing: the check would prove nothing"
    return sent
