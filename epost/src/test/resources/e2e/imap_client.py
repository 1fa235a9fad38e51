#!/usr/bin/env python3
"""A real IMAP client for the end-to-end tests (python3 imaplib, plus raw IDLE).

usage: imap_client.py wait HOST PORT USER PASS SUBJECT TIMEOUT
         logs in, polls INBOX until a message with SUBJECT is there; prints 'found UID' and the
         message's bytes length, exit 0; exit 1 on timeout
       imap_client.py idle HOST PORT USER PASS SUBJECT TIMEOUT
         logs in, selects INBOX, prints 'idling' once IDLE is accepted, waits for an EXISTS
         and then checks the new message has SUBJECT; prints 'exists N' and 'found UID'
       imap_client.py fetch HOST PORT USER PASS SUBJECT TIMEOUT
         as wait, then prints 'part NAME SIZE SHA256' for every attachment of the message and
         'text SHA256' of its first text/plain body
       imap_client.py arrived HOST PORT USER PASS SUBJECT TIMEOUT
         as wait, but reads no body (the header search answers from the metadata index)
       imap_client.py flags HOST PORT USER PASS SUBJECT
         prints 'flags UID (FLAGS...)' of the newest INBOX message with SUBJECT
       imap_client.py folder HOST PORT USER PASS VERB NAME [NEW]
         VERB create, rename (to NEW), delete; prints the server's answer, then 'list' and every
         folder name on a line
"""
import email
import email.policy
import hashlib
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


def arrived(host, port, user, password, subject, timeout):
    m = login(host, port, user, password)
    end = time.time() + float(timeout)
    while time.time() < end:
        m.select("INBOX", readonly=True)
        uid = find(m, subject)
        if uid:
            print("arrived", uid, flush=True)
            m.logout()
            return 0
        time.sleep(0.5)
    print("timeout", flush=True)
    return 1


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


def fetch(host, port, user, password, subject, timeout):
    m = login(host, port, user, password)
    end = time.time() + float(timeout)
    while time.time() < end:
        m.select("INBOX")
        uid = find(m, subject)
        if uid:
            typ, data = m.uid("FETCH", uid, "(RFC822)")
            if typ != "OK":
                print("fetch failed", typ, data, flush=True)
                return 2
            raw = data[0][1]
            print("found", uid, len(raw), flush=True)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            text = None
            for part in msg.walk():
                if part.is_multipart():
                    continue
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    print("part", part.get_filename(), len(payload),
                          hashlib.sha256(payload).hexdigest(), flush=True)
                elif text is None and part.get_content_type() == "text/plain":
                    text = payload
            if text is not None:
                print("text", hashlib.sha256(text).hexdigest(), flush=True)
            m.logout()
            return 0
        time.sleep(0.5)
    print("timeout", flush=True)
    return 1


def flags(host, port, user, password, subject):
    m = login(host, port, user, password)
    m.select("INBOX", readonly=True)
    uid = find(m, subject)
    if not uid:
        print("missing", flush=True)
        return 1
    typ, data = m.uid("FETCH", uid, "(FLAGS)")
    print("flags", uid, data[0].decode(), flush=True)
    m.logout()
    return 0


def folder(host, port, user, password, verb, name, new=None):
    m = login(host, port, user, password)
    if verb == "create":
        typ, data = m.create(name)
    elif verb == "rename":
        typ, data = m.rename(name, new)
    elif verb == "delete":
        typ, data = m.delete(name)
    else:
        print("unknown verb", verb, flush=True)
        return 2
    print(verb, typ, data, flush=True)
    typ2, data2 = m.list()
    print("list", flush=True)
    for line in data2:
        print(line.decode(), flush=True)
    m.logout()
    return 0 if typ == "OK" else 1


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
    modes = {"wait": wait, "idle": idle, "fetch": fetch, "arrived": arrived, "flags": flags, "folder": folder}
    sys.exit(modes[mode](*sys.argv[2:]))
