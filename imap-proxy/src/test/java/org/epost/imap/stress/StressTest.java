package org.epost.imap.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Several clients append, fetch, store, search and expunge in the same mailbox at once for a
 * bounded time ({@code -Dimap.stress.seconds}, 20 s by default); a {@link ResponseChecker} per
 * client reads every response and fails on desynchronisation, BAD, an unexpected BYE or NO, an
 * EXPUNGE where it is forbidden, or message bytes other than those appended. Seeded: the seed of
 * each client is printed with any failure.
 */
class StressTest {
  private static final Pattern APPENDUID = Pattern.compile("\\[APPENDUID \\d+ (\\d+)\\]");
  private static final int CLIENTS = 4;

  @Test
  void clientsWorkingOnOneMailboxAtOnceNeverSeeADesynchronisedStream() throws Exception {
    long seconds = Long.getLong("imap.stress.seconds", 20);
    long seed = Long.getLong("imap.stress.seed", System.nanoTime());
    Map<Long, byte[]> appended = new ConcurrentHashMap<>();
    AtomicLong commands = new AtomicLong();
    try (TestServer t = new TestServer()) {
      for (int i = 0; i < 20; i++) {
        byte[] m = message(new Random(i), "seed-" + i);
        long uid =
            t.backend.deliver(
                TestServer.USER, "INBOX", m, java.util.Set.of(), java.time.Instant.now());
        appended.put(uid, m);
      }
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> runs = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      for (int c = 0; c < CLIENTS; c++) {
        long clientSeed = seed + c;
        String who = "client " + c + " (seed " + clientSeed + ")";
        runs.add(
            pool.submit(
                () -> {
                  client(t, who, new Random(clientSeed), deadline, appended, commands);
                  return null;
                }));
      }
      try {
        for (Future<?> f : runs) {
          f.get(seconds + 60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
    }
    System.out.println(
        "stress: " + CLIENTS + " clients, " + commands.get() + " commands in " + seconds + " s");
    assertTrue(commands.get() > CLIENTS * 10L, "the clients hardly ran: " + commands.get());
  }

  private static void client(
      TestServer t,
      String who,
      Random rnd,
      long deadline,
      Map<Long, byte[]> appended,
      AtomicLong commands)
      throws IOException {
    try (Socket s = new Socket(t.address().getAddress(), t.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      ResponseChecker in = new ResponseChecker(s.getInputStream(), who, appended);
      String greeting = in.read();
      assertTrue(greeting.startsWith("* OK"), who + ": " + greeting);
      int n = 0;
      send(out, "l LOGIN alice s3cret-pass");
      in.until("l", "LOGIN", false);
      send(out, "s SELECT INBOX");
      in.until("s", "SELECT", false);
      while (System.nanoTime() < deadline) {
        String tag = "c" + (n++);
        int op = rnd.nextInt(100);
        int count = in.count();
        String range = count == 0 ? "1:*" : (1 + rnd.nextInt(count)) + ":" + (count);
        if (op < 15) {
          byte[] m = message(rnd, who + "-" + tag);
          boolean plus = rnd.nextBoolean();
          out.write(
              (tag + " APPEND INBOX (\\Seen) {" + m.length + (plus ? "+" : "") + "}\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          if (!plus) {
            String cont = in.read();
            assertTrue(cont.startsWith("+ "), who + ": no continuation for APPEND: " + cont);
          }
          out.write(m);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          String ok = in.until(tag, "APPEND", false);
          Matcher mu = APPENDUID.matcher(ok);
          assertTrue(mu.find(), who + ": " + ok);
          appended.put(Long.parseLong(mu.group(1)), m);
        } else if (op < 35) {
          if (count == 0) {
            send(out, tag + " NOOP");
            in.until(tag, "NOOP", false);
          } else {
            String items =
                switch (rnd.nextInt(4)) {
                  case 0 -> "(UID FLAGS)";
                  case 1 -> "(UID RFC822.SIZE BODY.PEEK[])";
                  case 2 -> "(UID BODYSTRUCTURE ENVELOPE BODY.PEEK[TEXT])";
                  default -> "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[1]<0.10>)";
                };
            send(out, tag + " FETCH " + range + " " + items);
            in.until(tag, "FETCH", true);
          }
        } else if (op < 50) {
          String items = rnd.nextBoolean() ? "(FLAGS)" : "(RFC822.SIZE BODY.PEEK[])";
          send(out, tag + " UID FETCH 1:* " + items);
          in.until(tag, "UID FETCH", false);
        } else if (op < 70 && count > 0) {
          String flag =
              rnd.nextInt(3) == 0 ? "\\Deleted" : rnd.nextBoolean() ? "\\Flagged" : "$Work";
          String sign = rnd.nextInt(4) == 0 ? "-" : "+";
          boolean uid = rnd.nextBoolean();
          send(
              out,
              tag
                  + (uid ? " UID STORE 1:* " : " STORE " + range + " ")
                  + sign
                  + "FLAGS ("
                  + flag
                  + ")");
          in.until(tag, uid ? "UID STORE" : "STORE", !uid);
        } else if (op < 80) {
          boolean uid = rnd.nextBoolean();
          send(
              out,
              tag + (uid ? " UID SEARCH " : " SEARCH ") + (rnd.nextBoolean() ? "DELETED" : "ALL"));
          in.until(tag, uid ? "UID SEARCH" : "SEARCH", !uid);
        } else if (op < 88) {
          send(out, tag + " EXPUNGE");
          in.until(tag, "EXPUNGE", false);
        } else if (op < 92) {
          send(out, tag + " UID EXPUNGE 1:*");
          in.until(tag, "UID EXPUNGE", false);
        } else if (op < 96) {
          send(out, tag + " NOOP");
          in.until(tag, "NOOP", false);
        } else {
          send(out, tag + " IDLE");
          String cont = in.read();
          while (cont.startsWith("* ")) {
            in.untagged(cont.substring(2), "IDLE", false);
            cont = in.read();
          }
          assertTrue(cont.startsWith("+ "), who + ": " + cont);
          try {
            Thread.sleep(rnd.nextInt(50));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          send(out, "DONE");
          in.until(tag, "IDLE", false);
        }
        commands.incrementAndGet();
      }
      send(out, "z LOGOUT");
      String bye = in.read();
      while (!bye.startsWith("* BYE")) {
        in.untagged(bye.substring(2), "LOGOUT", false);
        bye = in.read();
      }
      assertEquals("z OK LOGOUT completed", in.read());
    }
  }

  private static void send(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  static byte[] message(Random rnd, String id) {
    StringBuilder b = new StringBuilder();
    b.append("From: Stress <stress@example.org>\r\nTo: alice@example.org\r\n")
        .append("Subject: stress ")
        .append(id)
        .append("\r\nMessage-ID: <")
        .append(id)
        .append("@example.org>\r\nMIME-Version: 1.0\r\n");
    if (rnd.nextBoolean()) {
      b.append("Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n")
          .append("Content-Type: text/plain\r\n\r\nhello ")
          .append(id)
          .append("\r\n--b\r\nContent-Type: application/octet-stream\r\n")
          .append("Content-Transfer-Encoding: base64\r\n\r\n");
      int lines = 1 + rnd.nextInt(40);
      for (int i = 0; i < lines; i++) {
        b.append("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\r\n");
      }
      b.append("--b--\r\n");
    } else {
      b.append("Content-Type: text/plain\r\n\r\n");
      int lines = 1 + rnd.nextInt(60);
      for (int i = 0; i < lines; i++) {
        b.append("line ").append(i).append(" of ").append(id).append("\r\n");
      }
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
