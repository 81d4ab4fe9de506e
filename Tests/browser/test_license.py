"""The license flow in the page against the real server: a trial key arrives by mail, counts 3
marked generations in the server's database, then is refused; after one visit the page reloads
with the server stopped and a Pro key still generates, while a trial key says it cannot be
counted offline."""

from __future__ import annotations

import zipfile

from urllib.parse import urlparse

from browser_support import WYRMLING, decline_consent, generate, mesh, open_mesh, pro_key, requests_sent, responses, save_key, set_option


def test_trial_allows_three_marked_generations_then_refuses(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    email = "mini.painter+test@example.com"
    b.js("document.getElementById('trial-email').value = arguments[0]", email)
    b.driver.find_element("css selector", "#trial-form button[type=submit]").click()
    b.wait(lambda: "on its way" in b.text("license-message"), "the trial request answer")
    key = server.mailed_key(email)      # the mail the server sent
    assert server.generations_used(key) == 0
    b.network_log()
    save_key(b, key)
    assert b.text("license-status").startswith("Trial: 3 of 3 generations left"), b.text("license-status")
    assert b.js("return localStorage.getItem('vitrine-license')") == key

    open_mesh(b, mesh(WYRMLING))
    set_option(b, "resolution", 0.5)  # the count is under test here, not the detail
    for left in (2, 1, 0):
        result = generate(b)
        assert result["ok"], result
        assert server.generations_used(key) == 3 - left, "the server counted the generation"
        assert result["mark"], "a trial generation is told to carry the mark"
        assert "Trial case: the back carries the engraved mark" in result["status"], result["status"]
        # "TRIAL" when it fits the back at this resolution, else "T": engraved either way.
        assert b.js("return document.getElementById('status').dataset.markEngraved") in ("TRIAL", "T")
        assert b.text("license-status").startswith(f"Trial: {left} of 3"), b.text("license-status")
        if left == 2:
            with zipfile.ZipFile(b.download("download-3mf", ".3mf")) as z:
                model = z.read("3D/3dmodel.model").decode()
            assert "Vitrine trial license" in model[:2000], "the trial case's 3MF says it is a trial"
    # The lid style has no engraved face: a trial is kept off it before the server counts.
    set_option(b, "style", "lid")
    result = generate(b)
    assert not result["ok"] and "cannot carry the engraved trial mark" in result["error"], result
    assert b.text("license-status").startswith("Trial: 0 of 3"), b.text("license-status")
    set_option(b, "style", "clamshell")
    result = generate(b)
    assert not result["ok"] and "3 generations are used up" in result["error"], result
    assert server.generations_used(key) == 3, "a refused generation is not counted"
    # Chrome saw four counting calls, each answered by the server (the fourth with a refusal).
    events = b.network_log()
    status = responses(events)
    counted = [e for e in requests_sent(events) if urlparse(e["params"]["request"]["url"]).path == "/api/v1/license/generations"]
    assert [status.get(e["params"]["requestId"]) for e in counted] == [200] * 4, counted


def test_offline_reload_generates_with_pro_key_and_refuses_trial(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    pro = pro_key(server)
    trial = server.issue("trial", "offline@example.com")
    save_key(b, pro)
    assert b.js("return document.getElementById('license-status').dataset.tier") == "annual"
    # After one visit the service worker controls the page and holds everything it needs.
    b.wait(lambda: b.js("return !!navigator.serviceWorker.controller"), "the service worker to take control")
    b.wait(lambda: b.js("return localStorage.getItem('vitrine-license-public-key') !== null"), "the public key to be kept")
    cached = b.driver.execute_async_script("""const done = arguments[0];
      caches.keys().then(async (names) => done((await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat().length))""")
    assert cached >= 13, f"only {cached} files cached for offline use"

    server.stop()             # the server is gone …
    b.offline(True)           # … and so is the network
    b.driver.refresh()
    b.wait(lambda: b.js("return document.readyState") == "complete", "the offline reload")
    assert b.js("return document.getElementById('generate') !== null"), "the page came back offline"
    b.wait(lambda: "Checked offline" in b.text("license-status"), "the offline key check")
    open_mesh(b, mesh(WYRMLING))
    set_option(b, "resolution", 0.4)
    result = generate(b)
    assert result["ok"], result
    assert "Made offline with your Pro key" in result["status"]
    assert not result["mark"]

    save_key(b, trial)
    result = generate(b)
    assert not result["ok"]
    assert "offline" in result["error"] and "trial" in result["error"].lower(), result["error"]
    assert "cannot generate until you are back online" in result["error"]
    assert server.generations_used(trial) == 0


def test_pro_key_generates_with_the_server_stopped_but_the_network_up(browser, server):
    """The server alone gone (connections refused, no emulated offline): the page's own files
    come from its cache, the key is checked with the kept public key, and the case is made;
    back up, the server counts nothing it did not see."""
    b = browser
    b.open()
    decline_consent(b)
    pro = pro_key(server)
    save_key(b, pro)
    b.wait(lambda: b.js("return !!navigator.serviceWorker.controller"), "the service worker to take control")
    b.wait(lambda: b.js("return localStorage.getItem('vitrine-license-public-key') !== null"), "the public key to be kept")
    server.stop()
    b.driver.refresh()
    b.wait(lambda: b.js("return document.readyState") == "complete", "the reload with the server stopped")
    b.wait(lambda: "Checked offline" in b.text("license-status"), "the offline key check")
    open_mesh(b, mesh(WYRMLING))
    set_option(b, "resolution", 0.4)
    result = generate(b)
    assert result["ok"], result
    assert "Made offline with your Pro key" in result["status"]
    server.start()            # same port, same data directory
    assert server.generations_used(pro) == 0
    result = generate(b)
    assert result["ok"] and "offline" not in result["status"], result
    assert server.generations_used(pro) == 1, "back online, the generation is counted again"


def test_mistyped_keys_are_named_before_anything_is_sent(browser, server):
    b = browser
    b.open()
    decline_consent(b)
    b.network_log()
    b.js("document.getElementById('license-key').value = 'VTR-12345-ABCDE'")
    b.driver.find_element("css selector", "#key-form button[type=submit]").click()
    b.wait(lambda: "does not work" in b.text("license-message"), "the key check")
    assert "the key is truncated: 10 of 151 characters" in b.text("license-message")
    sent = [e["params"]["request"]["url"] for e in requests_sent(b.network_log())]
    assert not [u for u in sent if "/license/" in u], f"a malformed key is caught in the page: {sent}"
    # One altered symbol: the server's signature check names it (the page shows its reason).
    key = pro_key(server)
    # Not the last symbol: its low bits are padding, which the page itself rejects.
    i = len(key) - 3 if key[-3] != "-" else len(key) - 4
    altered = key[:i] + ("0" if key[i] != "0" else "1") + key[i + 1:]
    b.js("document.getElementById('license-key').value = arguments[0]", altered)
    b.driver.find_element("css selector", "#key-form button[type=submit]").click()
    b.wait(lambda: "signature" in b.text("license-message"), "the signature complaint")
    # … and it was the server that said so: the page sent the key and got a 422.
    events = b.network_log()
    status = responses(events)
    validate = [e for e in requests_sent(events) if e["params"]["request"]["url"].endswith("/api/v1/license/validate")]
    assert [status.get(e["params"]["requestId"]) for e in validate] == [422], validate
    assert b.js("return localStorage.getItem('vitrine-license')") is None, "a bad key is not kept"
