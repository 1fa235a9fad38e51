#!/usr/bin/env python3
"""A mail client submitting exact bytes (python3 smtplib).

usage: submit.py HOST PORT USER PASS FROM FILE RCPT...
  AUTH PLAIN as USER, MAIL FROM:<FROM>, one RCPT per recipient, DATA with FILE's bytes (CRLF line
  ends; smtplib dot-stuffs); prints 'sent' and exits 0 on 250, else prints the error and exits 1.
"""
import smtplib
import sys


def main(host, port, user, password, sender, path, *rcpts):
    with open(path, "rb") as f:
        data = f.read()
    s = smtplib.SMTP(host, int(port), timeout=90)
    try:
        s.ehlo("client.test")
        s.login(user, password)
        refused = s.sendmail(sender, list(rcpts), data)
        if refused:
            print("refused", refused, flush=True)
            return 1
        print("sent", flush=True)
        return 0
    except smtplib.SMTPException as e:
        print("error", e, flush=True)
        return 1
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
