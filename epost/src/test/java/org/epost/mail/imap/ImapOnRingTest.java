package org.epost.mail.imap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.server.ImapServers;
import org.epost.mail.api.StoredMail;
import org.epost.mail.mailbox.PostAccount;
import org.epost.mail.testing.LoopbackRing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IMAP proxy on the real backend on a ring of four node runtimes, driven by python3's imaplib:
 * LOGIN with the generated password (a wrong one is refused), SELECT, APPEND, FETCH, STORE, COPY,
 * EXPUNGE, and IDLE hearing a message filed by another thread.
 */
class ImapOnRingTest {
  @TempDir Path tmp;

  private static final String SCRIPT =
"""
import imaplib, sys
host, port, user, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
m = imaplib.IMAP4(host, port)
try:
    m.login(user, 'wrong')
    print('WRONG-PASSWORD-ACCEPTED')
except imaplib.IMAP4.error:
    print('WRONG-PASSWORD-REFUSED')
m = imaplib.IMAP4(host, port)
m.login(user, pw)
typ, data = m.select('INBOX')
print('SELECT', typ, data[0].decode())
msg = b'From: bob@ring.example\\r\\nTo: alice@ring.example\\r\\nSubject: via imap\\r\\n\\r\\nHello over IMAP.\\r\\n'
typ, data = m.append('INBOX', '(\\\\Draft)', None, msg)
print('APPEND', typ, data[0].decode())
m.noop()
typ, data = m.uid('FETCH', '1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
print('FETCH', typ, repr(data))
typ, data = m.uid('FETCH', '2', '(BODY.PEEK[])')
print('BODYOK', data[0][1] == msg)
typ, data = m.uid('STORE', '2', '+FLAGS', '(\\\\Seen)')
print('STORE', typ, repr(data))
m.uid('STORE', '2', '+FLAGS', '($Work)')
m.select('INBOX')
print('RESELECT', repr(m.response('UNSEEN')), repr(m.response('FLAGS')))
typ, data = m.uid('COPY', '1:2', 'Archive')
print('COPY', typ, repr(data))
typ, data = m.uid('STORE', '1', '+FLAGS', '(\\\\Deleted)')
typ, data = m.expunge()
print('EXPUNGE', typ, repr(data))
typ, data = m.list()
print('LIST', repr(data))
tag = m._new_tag().decode()
m.send(('%s IDLE\\r\\n' % tag).encode())
line = m.readline()
print('IDLE', line.decode().strip())
sys.stdout.flush()
while True:
    line = m.readline().decode().strip()
    if line.endswith('EXISTS'):
        print('IDLE-SAW', line)
        break
m.send(b'DONE\\r\\n')
print('DONE', m.readline().decode().strip())
m.logout()
""";

  @Test
  void aRealClientReadsWritesAndIdlesOnTheRing() throws Exception {
    try (LoopbackRing ring = LoopbackRing.start(tmp.resolve("ring"), 4)) {
      LoopbackRing.User alice = ring.enrol("alice@ring.example", 2);
      PostAccount account = ring.open(alice);
      try {
        byte[] first =
            "From: carol@ring.example\r\nSubject: first\r\n\r\nOne.\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        StoredMail s =
            account
                .store(new ByteArrayInputStream(first))
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        account
            .file("INBOX", s, new byte[0], Set.of())
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);

        String password = "generated-proxy-password"; // the daemon makes it (Enrolments)
        PostMailboxBackend backend = new PostMailboxBackend();
        backend.register(alice.address, password, account);
        ImapServerConfig cfg =
            ImapServerConfig.defaults()
                .withBindAddress(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))
                .withTimeouts(java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(90));
        try (ImapServer server = ImapServers.start(cfg, backend)) {
          Path script = tmp.resolve("client.py");
          Files.writeString(script, SCRIPT);
          Process p =
              new ProcessBuilder(
                      "python3",
                      script.toString(),
                      "127.0.0.1",
                      Integer.toString(server.localAddress().getPort()),
                      alice.address,
                      password)
                  .redirectErrorStream(true)
                  .start();
          List<String> out = new ArrayList<>();
          try (BufferedReader r =
              new BufferedReader(
                  new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
              System.out.println("client: " + line);
              out.add(line);
              if (line.startsWith("IDLE +")) {
                byte[] later =
                    "From: dave@ring.example\r\nSubject: during idle\r\n\r\nHi.\r\n"
                        .getBytes(StandardCharsets.US_ASCII);
                new Thread(
                        () -> {
                          try {
                            StoredMail m =
                                account
                                    .store(new ByteArrayInputStream(later))
                                    .toCompletableFuture()
                                    .get(60, TimeUnit.SECONDS);
                            account
                                .file("INBOX", m, new byte[0], Set.of())
                                .toCompletableFuture()
                                .get(60, TimeUnit.SECONDS);
                          } catch (Exception e) {
                            e.printStackTrace();
                          }
                        },
                        "delivery")
                    .start();
              }
            }
          }
          assertTrue(p.waitFor(300, TimeUnit.SECONDS));
          String all = String.join("\n", out);
          assertEquals(0, p.exitValue(), all);
          assertTrue(all.contains("WRONG-PASSWORD-REFUSED"), all);
          assertTrue(all.contains("SELECT OK 1"), all);
          assertTrue(
              all.contains("APPEND OK [APPENDUID " + account.view("INBOX").uidValidity() + " 2]"),
              all);
          assertTrue(all.contains("Subject: via imap") && all.contains("Subject: first"), all);
          assertTrue(all.contains("BODYOK True"), all);
          assertTrue(all.contains("\\\\Seen"), all);
          assertTrue(all.contains("RESELECT ('UNSEEN', [b'1'])"), all);
          assertTrue(all.contains("$Work"), all);
          assertTrue(all.contains("COPY OK"), all);
          assertTrue(all.contains("EXPUNGE OK [b'1']"), all);
          assertTrue(all.contains("\\\\Archive"), all);
          assertTrue(all.contains("IDLE-SAW"), all);
          assertTrue(all.contains("DONE") && all.contains("OK"), all);
        }
        assertEquals(
            List.of(2L, 3L), account.view("INBOX").messages().stream().map(r -> r.uid()).toList());
      } finally {
        account.close();
      }
    }
  }
}
