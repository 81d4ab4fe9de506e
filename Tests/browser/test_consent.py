"""Consent, against the real server: a banner on the first visit, no analytics request before a
choice or after a decline (whatever the page does), exactly one (the page view) right after an
opt-in, and every event the page then sends is one the server accepts and counts."""

from __future__ import annotations

import json
from collections import Counter

from browser_support import WYRMLING, generate, mesh, open_mesh, pro_key, requests_sent, responses, save_key, set_option

ANALYTICS = "/api/v1/analytics"


def analytics_sent(b):
    """Analytics calls in Chrome's network log since the last look: [(event body, HTTP status)]."""
    events = b.network_log()
    status = responses(events)
    return [(b.post_data(e), status.get(e["params"]["requestId"])) for e in requests_sent(events)
            if e["params"]["request"]["url"].endswith(ANALYTICS)]


def counted_since(server, before: dict) -> dict:
    """What the server's analytics_counts table gained since `before`."""
    now = server.analytics()
    return {k: n - before.get(k, 0) for k, n in now.items() if n != before.get(k, 0)}


def consent_cookie(b):
    return b.js("return document.cookie.split('; ').find((c) => c.startsWith('vitrine_consent_v1=')) || ''")


def round_trip(b):
    """A same-origin round trip: a keepalive analytics call sent before it has arrived by now."""
    b.driver.execute_async_script("fetch('/api/v1/license/public-key', {cache: 'no-store'}).then(() => arguments[0]())")


def test_no_analytics_before_consent_or_after_decline_and_one_after_opt_in(browser, server):
    b = browser
    before = server.analytics()
    b.open()
    b.wait(lambda: b.js("return !document.getElementById('consent').hidden"), "the consent banner on the first visit")
    open_mesh(b, mesh(WYRMLING))                # features used before any choice …
    assert consent_cookie(b) == ""
    round_trip(b)
    assert analytics_sent(b) == [] and counted_since(server, before) == {}, "analytics sent before consent"

    b.driver.find_element("id", "consent-decline").click()
    assert consent_cookie(b) == "vitrine_consent_v1=denied"
    open_mesh(b, mesh("figures/rpgscad_mini_housecarl.stl"))   # … and after declining
    b.driver.refresh()
    b.wait(lambda: b.js("return document.readyState") == "complete", "reload")
    assert b.js("return document.getElementById('consent').hidden"), "a made choice is not asked again"
    # The page still works the same after a decline.
    open_mesh(b, mesh(WYRMLING))
    round_trip(b)
    assert analytics_sent(b) == [] and counted_since(server, before) == {}, "analytics sent after a decline"

    b.driver.find_element("id", "privacy-choices").click()   # the footer link reopens the choice
    assert not b.js("return document.getElementById('consent').hidden")
    assert b.js("return document.activeElement.id") == "consent-accept", "focus moves into the banner"
    b.driver.find_element("id", "consent-accept").click()
    assert consent_cookie(b) == "vitrine_consent_v1=granted"
    b.wait(lambda: counted_since(server, before), "the page view after opt-in, counted by the server")
    round_trip(b)
    sent = analytics_sent(b)
    assert len(sent) == 1, sent
    body, status = sent[0]
    assert '"event":"page_view"' in body and status == 204, sent
    assert "wyrmling" not in body.lower(), "analytics never carries file names"
    assert counted_since(server, before) == {("page_view", "path=/"): 1}


def test_every_event_the_page_sends_is_accepted_and_counted(browser, server):
    """After an opt-in, each feature's count reaches the server's table as the page sent it:
    no event or property value the server's allow-list refuses (AnalyticsController.events)."""
    b = browser
    b.open()
    b.wait(lambda: b.js("return !document.getElementById('consent').hidden"), "the consent banner")
    before = server.analytics()
    b.driver.find_element("id", "consent-accept").click()
    save_key(b, pro_key(server))
    open_mesh(b, mesh(WYRMLING))
    open_mesh(b, mesh("scans/oded_human_man.obj"))
    b.driver.find_element("css selector", ".rescale button[data-scale='10']").click()
    set_option(b, "resolution", 0.4)
    assert generate(b)["ok"]
    b.driver.find_element("css selector", "#view-mode input[value=exploded]").click()
    b.driver.find_element("css selector", "#view-mode input[value=plate]").click()
    b.download("download-3mf", ".3mf")
    round_trip(b)
    sent = analytics_sent(b)
    refused = [(body, status) for body, status in sent if status != 204]
    assert not refused, f"the server refused what the page sent: {refused}"
    events = Counter(json.loads(body)["event"] for body, _ in sent)
    assert {"page_view", "key_saved", "model_opened", "rescaled", "case_generated", "view_mode", "download"} <= set(events), events
    gained = counted_since(server, before)
    assert sum(gained.values()) == len(sent), (gained, sent)
    assert gained[("model_opened", "format=stl-binary")] == 1 and gained[("model_opened", "format=obj")] == 1, gained
    assert gained[("rescaled", "to=cm")] == 1, gained
    assert gained[("view_mode", "mode=exploded")] == 1 and gained[("view_mode", "mode=plate")] == 1, gained
    assert gained[("download", "kind=3mf")] == 1, gained
    assert any(k[0] == "case_generated" for k in gained), gained
