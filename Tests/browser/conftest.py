"""Fixtures for the browser tests: the fake server (one per session) and a fresh headless
Chromium per test, with its own profile so no service worker, cookie or stored key leaks
between tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from browser_support import ROOT, Browser, skip_or_fail
from fake_server import FakeVitrine


@pytest.fixture(scope="session")
def fake():
    if not (ROOT / "Web" / "vitrine.wasm").exists():
        skip_or_fail("Web/vitrine.wasm is missing: run scripts/build-wasm.sh first")
    state = FakeVitrine()
    server, url = state.serve()
    state.url = url
    yield state
    server.shutdown()


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
