"""Fixtures for the browser tests: the real `vitrine serve` (one per session, fresh data
directory, free port; see real_server.py) and a fresh headless Chromium per test, with its own
profile so no service worker, cookie or stored key leaks between tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from browser_support import ROOT, Browser, assert_same_origin_in_netlog, skip_or_fail, vitrine_bin
from real_server import RealVitrine


@pytest.fixture(scope="session")
def server():
    if not (ROOT / "Web" / "vitrine.wasm").exists():
        # `vitrine serve` would build it (a minute or more): the tests ask for it up front instead.
        skip_or_fail("Web/vitrine.wasm is missing: run scripts/build-wasm.sh first")
    real = RealVitrine(vitrine_bin())
    real.start()
    print(f"vitrine serve at {real.url}, data {real.data}, up in {real.started_s:.1f} s")
    yield real
    real.stop()
    if os.environ.get("VITRINE_KEEP_DATA") != "1":
        shutil.rmtree(real.data, ignore_errors=True)


@pytest.fixture
def browser(server, tmp_path):
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
                "--disable-component-update", "--disable-default-apps", "--disable-sync",
                # Chrome's NetLog sees what the DevTools log of the page does not: the requests of
                # the Web Worker and the service worker, and every byte written to a socket.
                f"--log-net-log={tmp_path / 'netlog.json'}", "--net-log-capture-mode=Everything"]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_script_timeout(300)
    if not server.running:      # a test before this one took it down (offline tests)
        server.start()
    b = Browser(driver, downloads, server.url)
    b.netlog = tmp_path / "netlog.json"
    b.cdp("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    b.cdp("Network.enable")
    # Start the network record clean: Chromium's own start-up page is not the page under test.
    driver.get("about:blank")
    b.network_log()
    try:
        yield b
    finally:
        b.quit()
        severe = [m for level, m in b.console_messages if level == "SEVERE"]
        if severe:
            print("browser console errors:", *severe, sep="\n  ")
        if not server.running:
            server.start()
    # The server's headers must not stop anything the page does: a Content-Security-Policy
    # violation is a failure of the test that caused it, wherever it happened.
    blocked = [m for _, m in b.console_messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert not blocked, "the page broke the server's Content-Security-Policy:\n  " + "\n  ".join(blocked)
    assert_same_origin_in_netlog(b, server)
