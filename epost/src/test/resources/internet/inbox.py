#!/usr/bin/env python3
"""An IMAP reader for the Internet end-to-end tests (python3 imaplib).

usage: inbox.py HOST PORT USER PASS MARKER TIMEOUT OUT
  logs in and polls INBOX until a message whose bytes contain MARKER is there; writes that message's
  bytes (FETCH BODY.PEEK[]) to OUT and prints 'found UID', exit 0; prints 'timeout' and exits 1 if
  none comes within TIMEOUT seconds.
"""
import imaplib
import sys
import time


def main(host, port, user, password, marker, timeout, out):
    m = imaplib.IMAP4(host, int(port))
    m.login(user, password)
    end = time.time() + float(timeout)
    needle = marker.encode()
    while time.time() < end:
        typ, data = m.select("INBOX")
        if typ == "OK" and int(data[0]) > 0:
            typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[])")
            for item in data:
                if isinstance(item, tuple) and needle in item[1]:
                    uid = item[0].decode().split("UID ")[1].split()[0].rstrip(")")
                    with open(out, "wb") as f:
                        f.write(item[1])
                    print("found", uid, flush=True)
                    m.logout()
                    return 0
        time.sleep(0.5)
    print("timeout", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:8]))
