"""The license flow in the page: a trial counts 3 marked generations on the server, then
refuses; after one visit the page reloads offline and a Pro key still generates, while a
trial key says it cannot be counted offline."""

from __future__ import annotations

import zipfile

from browser_support import WYRMLING, decline_consent, generate, mesh, open_mesh, pro_key, save_key, set_option


def test_trial_allows_three_marked_generations_then_refuses(browser, fake):
    b = browser
    b.open()
    decline_consent(b)
    email = "mini.painter+test@example.com"
    b.js("document.getElementById('trial-email').value = arguments[0]", email)
    b.driver.find_element("css selector", "#trial-form button[type=submit]").click()
    b.wait(lambda: "on its way" in b.text("license-message"), "the trial request answer")
    key = next(k for e, k in fake.outbox if e == email)  # the key the mail would carry
    save_key(b, key)
    assert b.text("license-status").startswith("Trial: 3 of 3 generations left"), b.text("license-status")
    assert b.js("return localStorage.getItem('vitrine-license')") == key

    open_mesh(b, mesh(WYRMLING))
    set_option(b, "resolution", 0.5)  # the count is under test here, not the detail
    for left in (2, 1, 0):
        result = generate(b)
        assert result["ok"], result
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
    license_ = next(l for l in fake.licenses.values() if l.email == email)
    assert license_.used == 3


def test_offline_reload_generates_with_pro_key_and_refuses_trial(browser, fake):
    b = browser
    b.open()
    decline_consent(b)
    pro = pro_key(fake)
    trial = fake.issue("trial", email="offline@example.com")
    save_key(b, pro)
    assert b.js("return document.getElementById('license-status').dataset.tier") == "annual"
    # After one visit the service worker controls the page and holds everything it needs.
    b.wait(lambda: b.js("return !!navigator.serviceWorker.controller"), "the service worker to take control")
    b.wait(lambda: b.js("return localStorage.getItem('vitrine-license-public-key') !== null"), "the public key to be kept")
    cached = b.driver.execute_async_script("""const done = arguments[0];
      caches.keys().then(async (names) => done((await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat().length))""")
    assert cached >= 13, f"only {cached} files cached for offline use"

    fake.down = True          # the server is gone …
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


def test_mistyped_keys_are_named_before_anything_is_sent(browser, fake):
    b = browser
    b.open()
    decline_consent(b)
    fake.requests.clear()
    b.js("document.getElementById('license-key').value = 'VTR-12345-ABCDE'")
    b.driver.find_element("css selector", "#key-form button[type=submit]").click()
    b.wait(lambda: "does not work" in b.text("license-message"), "the key check")
    assert "the key is truncated: 10 of 151 characters" in b.text("license-message")
    assert not [r for r in fake.requests if "/license/" in r.path], "a malformed key is caught in the page"
    # One altered symbol: the server's signature check names it (the page shows its reason).
    key = pro_key(fake)
    last = key[-1]
    altered = key[:-1] + ("0" if last != "0" else "1")
    b.js("document.getElementById('license-key').value = arguments[0]", altered)
    b.driver.find_element("css selector", "#key-form button[type=submit]").click()
    b.wait(lambda: "signature" in b.text("license-message"), "the signature complaint")
    assert b.js("return localStorage.getItem('vitrine-license')") is None, "a bad key is not kept"
