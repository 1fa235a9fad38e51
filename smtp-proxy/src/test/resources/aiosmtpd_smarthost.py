"""TEST FIXTURE: an independent smarthost (Python aiosmtpd) with STARTTLS and AUTH.

Usage: aiosmtpd_smarthost.py PORT CERT_AND_KEY_PEM USER PASSWORD OUTPUT_DIR
Stores each accepted message as OUTPUT_DIR/<n>.eml (first line: the envelope), refuses
ghost@outside.example with 550 5.1.1, prints READY once listening, runs until stdin closes.
"""
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, pem, user, password, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]


class Store:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "ghost@outside.example":
            return "550 5.1.1 <ghost@outside.example>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        Store.count += 1
        tmp = os.path.join(out, "%d.tmp" % Store.count)
        with open(tmp, "wb") as f:
            f.write(("X-Smarthost-Envelope: from=<%s> to=%s tls=%s auth=%s\r\n" % (
                envelope.mail_from, ",".join(envelope.rcpt_tos), session.ssl is not None,
                session.authenticated)).encode())
            f.write(envelope.original_content)
        os.rename(tmp, os.path.join(out, "%d.eml" % Store.count))
        return "250 2.0.0 stored"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
        and auth_data.password == password.encode()
    return AuthResult(success=ok)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(pem)
controller = Controller(Store(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                        authenticator=authenticate, auth_require_tls=True, decode_data=False)
controller.start()
print("READY", flush=True)
sys.stdin.read()
controller.stop()
