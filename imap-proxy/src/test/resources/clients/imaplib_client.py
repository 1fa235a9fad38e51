"""Drives the IMAP proxy with Python's standard imaplib, as a scripting user would."""
import imaplib
import sys

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m = imaplib.IMAP4("127.0.0.1", port)
m.login(user, password)
typ, data = m.select("INBOX")
print("SELECT", typ, data[0].decode())
typ, data = m.search(None, "FROM", '"bob"')
print("SEARCH FROM bob", data[0].decode())
typ, data = m.search("UTF-8", "SUBJECT", "Report")
print("SEARCH SUBJECT Report", data[0].decode())
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("HEADER", data[0][1].decode().strip())
typ, data = m.fetch("1", "(RFC822)")
print("BODY-LINES", len(data[0][1].splitlines()))
print("BODY-HAS", b"First body line" in data[0][1])
typ, data = m.store("2", "+FLAGS", "(\\Flagged $Important)")
print("STORE", data[0].decode())
typ, data = m.append("INBOX", "(\\Seen)", imaplib.Time2Internaldate(1700000000),
                     b"Subject: from python\r\nFrom: py@example.org\r\n\r\nappended by imaplib\r\n")
print("APPEND", typ, data[0].decode())
typ, data = m.search(None, "SEEN")
print("SEARCH SEEN", data[0].decode())
typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
for line in data:
    print("FLAGS", line.decode())
m.close()
m.logout()
print("DONE")
