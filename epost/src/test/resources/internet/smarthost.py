#!/usr/bin/env python3
"""The Internet's side of the end-to-end tests: a real SMTP server (python3-aiosmtpd) standing in
for the smarthost.

usage: smarthost.py PORT SPOOL USER PASSWORD
  listens on 127.0.0.1:PORT, requires AUTH (PLAIN/LOGIN, allowed in clear text: loopback) with
  USER and PASSWORD (USER '-': no AUTH), refuses RCPT to any local part 'bounce' with 550 5.1.1, and writes each
  message it accepts to SPOOL/N.eml (the bytes as received, dot-unstuffed) with SPOOL/N.env (MAIL
  FROM and RCPT TO, one per line) written first; prints 'ready' once listening, runs until killed.
"""
import os
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, spool):
        self.spool = spool
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].lower() == "bounce":
            return "550 5.1.1 <%s>: Recipient address rejected: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.spool, "%d" % self.count)
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            login = session.auth_data.login.decode() if session.authenticated else "-"
            f.write("auth %s\n" % login)
            f.write("from %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("to %s\n" % r)
        os.rename(base + ".tmp", base + ".eml")
        return "250 2.0.0 Ok: queued as smarthost-%d" % self.count


def main():
    port, spool, user, password = sys.argv[1:5]

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    controller = Controller(
        Handler(spool),
        hostname="127.0.0.1",
        port=int(port),
        authenticator=authenticator,
        auth_required=user != "-",
        auth_require_tls=False,
        decode_data=False,
    )
    controller.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
