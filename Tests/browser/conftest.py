"""Fixtures for the browser tests: the fake server, a fresh headless Chromium per test (its
own profile, so no service worker, cookie or stored key leaks between tests), and helpers to
read Chrome's network log.

Environment: CHROMIUM (default /usr/bin/chromium), CHROMEDRIVER (/usr/bin/chromedriver),
VITRINE_BIN (native CLI for checking downloads; default .build/debug/vitrine),
VITRINE_MESHES (default ../shared/meshes/public), CI=true turns skips into failures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from fake_server import ROOT, FakeVitrine

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


@pytest.fixture(scope="session")
def fake():
    if not (ROOT / "Web" / "vitrine.wasm").exists():
        skip_or_fail("Web/vitrine.wasm is missing: run scripts/build-wasm.sh first")
    state = FakeVitrine()
    server, url = state.serve()
    state.url = url
    yield state
    server.shutdown()


class Browser:
    """A Chromium driven by selenium, with CDP shortcuts the tests need."""

    def __init__(self, driver, downloads: Path, base: str):
        self.driver = driver
        self.downloads = downloads
        self.base = base

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


@pytest.fixture
def browser(fake, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    chromedriver = os.environ.get("CHROMEDRIVER", shutil.which("chromedriver") or "/usr/bin/chromedriver")
    if not Path(chromium).exists() or not Path(chromedriver).exists():
        skip_or_fail(f"headless Chromium not installed ({chromium}, {chromedriver}): apt-get install chromium chromium-driver")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                # Software WebGL2: the test machines have no GPU.
                "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
                f"--user-data-dir={tmp_path / 'profile'}", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-default-apps", "--disable-sync"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_script_timeout(300)
    b = Browser(driver, downloads, fake.url)
    b.cdp("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    b.cdp("Network.enable")
    # Start the network record clean: Chromium's own start-up page is not the page under test.
    driver.get("about:blank")
    b.network_log()
    fake.down = False
    try:
        yield b
    finally:
        logs = driver.get_log("browser")
        severe = [l for l in logs if l["level"] == "SEVERE"]
        if severe:
            print("browser console errors:", *[l["message"] for l in severe], sep="\n  ")
        driver.quit()
        fake.down = False
