#!/usr/bin/env python3
"""A real IMAP client for the end-to-end tests (python3 imaplib, plus raw IDLE).

usage: imap_client.py wait HOST PORT USER PASS SUBJECT TIMEOUT
         logs in, polls INBOX until a message with SUBJECT is there; prints 'found UID' and the
         message's bytes length, exit 0; exit 1 on timeout
       imap_client.py idle HOST PORT USER PASS SUBJECT TIMEOUT
         logs in, selects INBOX, prints 'idling' once IDLE is accepted, waits for an EXISTS
         and then checks the new message has SUBJECT; prints 'exists N' and 'found UID'
"""
import imaplib
import sys
import time


def login(host, port, user, password):
    m = imaplib.IMAP4(host, int(port))
    m.login(user, password)
    return m


def find(m, subject):
    typ, data = m.uid("SEARCH", None, "HEADER", "Subject", '"%s"' % subject)
    if typ != "OK":
        return None
    uids = data[0].split()
    return uids[-1].decode() if uids else None


def wait(host, port, user, password, subject, timeout):
    m = login(host, port, user, password)
    end = time.time() + float(timeout)
    while time.time() < end:
        m.select("INBOX")
        uid = find(m, subject)
        if uid:
            typ, data = m.uid("FETCH", uid, "(RFC822)")
            body = data[0][1]
            print("found", uid, len(body), flush=True)
            m.logout()
            return 0
        time.sleep(0.5)
    print("timeout", flush=True)
    return 1


def idle(host, port, user, password, subject, timeout):
    m = login(host, port, user, password)
    m.select("INBOX")
    tag = m._new_tag().decode()
    m.send(("%s IDLE\r\n" % tag).encode())
    line = m.readline().decode()
    if not line.startswith("+"):
        print("idle refused:", line.strip(), flush=True)
        return 2
    print("idling", flush=True)
    m.sock.settimeout(float(timeout))
    try:
        while True:
            line = m.readline().decode()
            if not line:
                print("closed", flush=True)
                return 1
            if line.startswith("* ") and line.rstrip().endswith("EXISTS"):
                print("exists", line.split()[1], flush=True)
                break
    except OSError:
        print("timeout", flush=True)
        return 1
    m.send(b"DONE\r\n")
    while not m.readline().decode().startswith(tag):
        pass
    uid = find(m, subject)
    print("found", uid, flush=True)
    m.logout()
    return 0 if uid else 1


if __name__ == "__main__":
    mode = sys.argv[1]
    sys.exit({"wait": wait, "idle": idle}[mode](*sys.argv[2:8]))
