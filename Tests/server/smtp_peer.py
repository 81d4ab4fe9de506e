#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) on loopback for the Swift SMTP deliverer tests.

    smtp_peer.py --dir DIR --mode starttls|tls|plain [--user U --password P] [--no-plain]

Listens on 127.0.0.1 on a free port, with a self-signed certificate for 127.0.0.1/localhost made
with openssl in DIR (DIR/cert.pem), and prints one line `READY <port>` once it accepts connections.
Each accepted message is written to DIR/mail-<n>.json: envelope, whole message, whether the
session was encrypted and who logged in. Recipients whose local part starts with `perm` get a
550 reply, with `temp` a 451, so the tests see both kinds of failure. Stops on SIGTERM or when
standard input closes.
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Recorder:
    def __init__(self, directory, implicit_tls):
        self.directory = directory
        self.implicit_tls = implicit_tls
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("perm"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        if local.startswith("temp"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            "tls": self.implicit_tls or session.ssl is not None,
            "auth_user": auth.login.decode() if isinstance(auth, LoginPassword) else None,
            "auth_mechanism": getattr(session, "vitrine_mechanism", None),
            "helo": session.host_name,
        }
        path = os.path.join(self.directory, "mail-%d.json" % self.count)
        with open(path + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 Ok: queued as %d" % self.count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--mode", choices=["starttls", "tls", "plain"], required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--no-plain", action="store_true", help="offer AUTH LOGIN only")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    context = make_certificate(args.dir)
    recorder = Recorder(args.dir, implicit_tls=args.mode == "tls")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password)
        if ok:
            session.vitrine_mechanism = mechanism
        # handled=False: aiosmtpd then sends the 535 reply itself.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        options = dict(
            hostname="peer.test", loop=loop, enable_SMTPUTF8=True,
            authenticator=authenticator if args.user else None,
            auth_required=bool(args.user),
            auth_exclude_mechanism=["PLAIN"] if args.no_plain else None,
        )
        if args.mode == "starttls":
            return SMTP(recorder, tls_context=context, require_starttls=True, **options)
        return SMTP(recorder, auth_require_tls=False, **options)

    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=0, ssl=context if args.mode == "tls" else None))
    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)

    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    loop.run_until_complete(stop.wait())
    server.close()


if __name__ == "__main__":
    main()
