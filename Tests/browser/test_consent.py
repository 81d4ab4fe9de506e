"""Consent: a banner on the first visit, no analytics request before a choice or after a
decline (whatever the page does), exactly one (the page view) right after an opt-in."""

from __future__ import annotations

from browser_support import WYRMLING, mesh, open_mesh

ANALYTICS = "/api/v1/analytics"


def analytics_requests(b, fake):
    """Analytics calls as the server saw them and as Chrome logged them (both must agree)."""
    server = [r for r in fake.requests if r.path.startswith(ANALYTICS)]
    chrome = [e for e in b.network_log() if e["method"] == "Network.requestWillBeSent"
              and e["params"]["request"]["url"].endswith(ANALYTICS)]
    return server, chrome


def consent_cookie(b):
    return b.js("return document.cookie.split('; ').find((c) => c.startsWith('vitrine_consent_v1=')) || ''")


def test_no_analytics_before_consent_or_after_decline_and_one_after_opt_in(browser, fake):
    b = browser
    fake.requests.clear()
    b.open()
    b.wait(lambda: b.js("return !document.getElementById('consent').hidden"), "the consent banner on the first visit")
    open_mesh(b, mesh(WYRMLING))                # features used before any choice …
    assert consent_cookie(b) == ""
    server, chrome = analytics_requests(b, fake)
    assert server == [] and chrome == [], "analytics sent before consent"

    b.driver.find_element("id", "consent-decline").click()
    assert consent_cookie(b) == "vitrine_consent_v1=denied"
    open_mesh(b, mesh("figures/rpgscad_mini_housecarl.stl"))   # … and after declining
    b.driver.refresh()
    b.wait(lambda: b.js("return document.readyState") == "complete", "reload")
    assert b.js("return document.getElementById('consent').hidden"), "a made choice is not asked again"
    # The page still works the same after a decline.
    open_mesh(b, mesh(WYRMLING))
    server, chrome = analytics_requests(b, fake)
    assert server == [] and chrome == [], "analytics sent after a decline"

    b.driver.find_element("id", "privacy-choices").click()   # the footer link reopens the choice
    assert not b.js("return document.getElementById('consent').hidden")
    assert b.js("return document.activeElement.id") == "consent-accept", "focus moves into the banner"
    b.driver.find_element("id", "consent-accept").click()
    assert consent_cookie(b) == "vitrine_consent_v1=granted"
    b.wait(lambda: any(r.path.startswith(ANALYTICS) for r in fake.requests), "the page view after opt-in")
    # A same-origin round trip after the page view: anything sent with it has arrived by now.
    b.driver.execute_async_script("fetch('/api/v1/license/public-key', {cache: 'no-store'}).then(() => arguments[0]())")
    server, chrome = analytics_requests(b, fake)
    assert len(server) == 1 and len(chrome) == 1, [r.body for r in server]
    assert b'"event":"page_view"' in server[0].body
    assert b"wyrmling" not in server[0].body.lower(), "analytics never carries file names"
