"""Webhook signatures made by the providers' official Python libraries are accepted by a real
`vitrine serve`, and tampered, stale, replayed and wrong-secret deliveries change nothing.

- Polar signs with Standard Webhooks: `standardwebhooks.Webhook(secret).sign(msg_id, timestamp, data)`
  (the library's own signer). Both secret forms: a generic `whsec_<base64>` secret, and Polar's
  dashboard string, which Polar's SDK base64-encodes before handing it to that library.
- Stripe: `stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)`.

Runs on SQLite (a temp data folder); needs the built CLI (VITRINE_BIN, default .build/debug/vitrine)
and the PyPI packages `standardwebhooks` and `stripe` (scripts/test.sh installs them). Without them
the tests are skipped with the reason, except under CI=true, where that is a failure.
"""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from support import BINARY, free_port, need, post, wait_healthy

STRIPE_SECRET = "whsec_stripe_test_secret_0123456789"


def library(name):
    try:
        return __import__(name)
    except ImportError:
        need(False, f"the PyPI package {name} is not installed (scripts/test.sh installs it)")


class Server:
    def __init__(self, polar_secret):
        need(BINARY.exists(), f"no vitrine binary at {BINARY} (swift build, or set VITRINE_BIN)")
        self.data = tempfile.mkdtemp(prefix="vitrine-billing-")
        self.port = free_port()
        self.env = dict(
            os.environ,
            VITRINE_LOG_LEVEL="warning",
            VITRINE_POLAR_WEBHOOK_SECRET=polar_secret,
            VITRINE_STRIPE_WEBHOOK_SECRET=STRIPE_SECRET,
            VITRINE_POLAR_PRODUCT_LIFETIME="prod_lifetime",
            VITRINE_STRIPE_PRICE_LIFETIME="price_lifetime",
            VITRINE_MAIL_WORKER="false",
        )
        self.env.pop("DATABASE_URL", None)
        # Run outside the checkout: no ./Web, so the server does not build the browser engine first.
        self.process = subprocess.Popen(
            [BINARY, "serve", "--data", self.data, "--port", str(self.port)], env=self.env, cwd=self.data,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_healthy(self.port, self.process)

    def post(self, path, body: bytes, headers):
        return post(f"http://127.0.0.1:{self.port}{path}", body, headers)

    def licenses(self, email):
        """The tiers of the licenses `vitrine license show EMAIL` lists (none: empty)."""
        shown = subprocess.run(
            [BINARY, "license", "show", email, "--data", self.data], env=self.env, capture_output=True, text=True
        )
        return [line.split()[-1] for line in shown.stdout.splitlines() if line.strip().startswith("tier")]

    def cli(self, *args):
        return subprocess.run([BINARY, *args, "--data", self.data], env=self.env, capture_output=True, text=True)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def polar_order(order_id, email):
    return json.dumps({
        "type": "order.paid",
        "timestamp": datetime.now(timezone.utc).isoformat(),
        "data": {
            "id": order_id, "status": "paid", "billing_reason": "purchase", "product_id": "prod_lifetime",
            "total_amount": 9900, "currency": "eur", "customer": {"id": "c1", "email": email}, "metadata": {},
        },
    })


def stripe_session(event_id, pi, email):
    return json.dumps({
        "id": event_id, "object": "event", "type": "checkout.session.completed", "created": int(time.time()),
        "api_version": "2024-06-20", "livemode": False,
        "data": {"object": {
            "id": "cs_" + pi, "object": "checkout.session", "mode": "payment", "payment_status": "paid",
            "payment_intent": pi, "amount_total": 9900, "currency": "eur", "metadata": {"tier": "lifetime"},
            "customer_details": {"email": email, "address": {"country": "DE"}},
        }},
    })


@pytest.fixture(params=["whsec", "polar-dashboard"])
def polar_server(request):
    """A server whose Polar secret is a whsec_ secret or Polar's raw dashboard string, and the
    standardwebhooks signer the sender would use for it."""
    standardwebhooks = library("standardwebhooks")
    if request.param == "whsec":
        secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        signer = standardwebhooks.Webhook(secret)
        wrong = standardwebhooks.Webhook("whsec_" + base64.b64encode(os.urandom(24)).decode())
    else:
        secret = "polar_whs_" + base64.b32encode(os.urandom(20)).decode().lower()
        # What Polar's SDK does with the dashboard secret before calling standardwebhooks.
        signer = standardwebhooks.Webhook(base64.b64encode(secret.encode()).decode())
        wrong = standardwebhooks.Webhook(base64.b64encode(b"polar_whs_not_the_secret").decode())
    server = Server(secret)
    yield server, signer, wrong
    server.stop()


def polar_headers(signer, msg_id, body, when=None):
    when = when or datetime.now(timezone.utc)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signer.sign(msg_id=msg_id, timestamp=when, data=body),
    }


def test_polar_standard_webhooks(polar_server):
    server, signer, wrong = polar_server
    # Accepted: signed by the official library.
    body = polar_order("ord_ok", "polar-ok@example.com")
    status, reply = server.post("/api/v1/webhooks/polar", body.encode(), polar_headers(signer, "msg_ok", body))
    assert status == 200 and reply == {"received": True, "duplicate": False, "handled": True}, reply
    assert server.licenses("polar-ok@example.com") == ["lifetime"]

    # Replayed id: acknowledged, nothing changes.
    status, reply = server.post("/api/v1/webhooks/polar", body.encode(), polar_headers(signer, "msg_ok", body))
    assert status == 200 and reply["duplicate"] is True, reply
    assert server.licenses("polar-ok@example.com") == ["lifetime"]

    # Tampered body: signed one order, sent another.
    signed = polar_order("ord_t", "polar-tampered@example.com")
    sent = signed.replace("polar-tampered@", "polar-thief@")
    status, reply = server.post("/api/v1/webhooks/polar", sent.encode(), polar_headers(signer, "msg_t", signed))
    assert status == 401 and reply["error"] == "bad_signature", reply

    # Stale: signed 10 minutes ago (correctly, by the library); and 10 minutes ahead.
    for minutes in (-10, 10):
        body = polar_order(f"ord_s{minutes}", "polar-stale@example.com")
        when = datetime.now(timezone.utc) + timedelta(minutes=minutes)
        status, reply = server.post("/api/v1/webhooks/polar", body.encode(), polar_headers(signer, f"msg_s{minutes}", body, when))
        assert status == 401 and reply["error"] == "stale_timestamp", reply

    # Wrong secret.
    body = polar_order("ord_w", "polar-wrong@example.com")
    status, reply = server.post("/api/v1/webhooks/polar", body.encode(), polar_headers(wrong, "msg_w", body))
    assert status == 401, reply

    for email in ("polar-tampered@example.com", "polar-thief@example.com", "polar-stale@example.com", "polar-wrong@example.com"):
        assert server.licenses(email) == [], email


@pytest.fixture
def stripe_server():
    server = Server("whsec_" + base64.b64encode(b"unused polar secret").decode())
    yield server
    server.stop()


def test_stripe_signature_header(stripe_server):
    stripe = library("stripe")
    server = stripe_server
    sign = stripe.WebhookSignature.generate_signature_header

    body = stripe_session("evt_ok", "pi_ok", "stripe-ok@example.com")
    status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": sign(body, STRIPE_SECRET)})
    assert status == 200 and reply == {"received": True, "duplicate": False, "handled": True}, reply
    assert server.licenses("stripe-ok@example.com") == ["lifetime"]

    # Replayed event id.
    status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": sign(body, STRIPE_SECRET)})
    assert status == 200 and reply["duplicate"] is True, reply

    # Bigger than the API's 16 KiB body limit (webhooks have their own 1 MiB cap), through the real HTTP server.
    big = json.loads(stripe_session("evt_big", "pi_big", "stripe-big@example.com"))
    big["data"]["object"]["metadata"]["padding"] = "x" * 200_000
    body = json.dumps(big)
    status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": sign(body, STRIPE_SECRET)})
    assert status == 200 and reply["handled"] is True, reply
    assert server.licenses("stripe-big@example.com") == ["lifetime"]

    # Two v1 signatures during a secret roll: the old secret's first, ours second.
    body = stripe_session("evt_roll", "pi_roll", "stripe-roll@example.com")
    now = int(time.time())
    old = sign(body, "whsec_old_secret", timestamp=now).split(",")[1]
    ours = sign(body, STRIPE_SECRET, timestamp=now)
    status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": f"{ours.split(',')[0]},{old},{ours.split(',')[1]}"})
    assert status == 200, reply

    # Tampered, stale (both ways), wrong secret.
    signed = stripe_session("evt_t", "pi_t", "stripe-tampered@example.com")
    tampered = signed.replace('"amount_total": 9900', '"amount_total": 1')
    assert tampered != signed
    status, reply = server.post("/api/v1/webhooks/stripe", tampered.encode(), {"Stripe-Signature": sign(signed, STRIPE_SECRET)})
    assert status == 401 and reply["error"] == "bad_signature", reply
    for offset in (-600, 600):
        body = stripe_session(f"evt_s{offset}", f"pi_s{offset}", "stripe-stale@example.com")
        status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": sign(body, STRIPE_SECRET, timestamp=now + offset)})
        assert status == 401 and reply["error"] == "stale_timestamp", reply
    body = stripe_session("evt_w", "pi_w", "stripe-wrong@example.com")
    status, reply = server.post("/api/v1/webhooks/stripe", body.encode(), {"Stripe-Signature": sign(body, "whsec_wrong")})
    assert status == 401, reply
    for email in ("stripe-tampered@example.com", "stripe-stale@example.com", "stripe-wrong@example.com"):
        assert server.licenses(email) == [], email
    assert server.licenses("stripe-roll@example.com") == ["lifetime"]

    # `vitrine billing replay`: an event whose delivery never arrived is applied once, then not again.
    event = Path(server.data) / "evt_replay.json"
    event.write_text(stripe_session("evt_replay", "pi_replay", "stripe-replay@example.com"))
    first = server.cli("billing", "replay", str(event), "--provider", "stripe")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("event evt_replay: applied") and "issued lifetime license" in first.stdout, first.stdout
    second = server.cli("billing", "replay", str(event), "--provider", "stripe")
    assert second.returncode == 0 and second.stdout.strip() == "event evt_replay: already applied, nothing changed", second.stdout
    assert server.licenses("stripe-replay@example.com") == ["lifetime"]
