package org.epost.mail.daemon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Delivery latency on real nodes (issue 15 target; issue 14's real-node target): a ring of {@code
 * epost run} processes on loopback (the operator's node, storers, alice's and bob's), bob's IMAP
 * client idling on INBOX, alice's SMTP client submitting one 4.7 KB message at a time.
 *
 * <p>Per message: <b>submit</b>, from the client's final "." to alice's "250" (her node fsyncs the
 * message in the outbox, stores it on the ring at a majority of k replicas and notifies bob: the
 * pending store holds it durably and it is pushed; "250" waits for all of that while the ring is
 * reachable, so this is send-to-notified as the client sees it); <b>deliver</b>, from "250" to the
 * {@code * N EXISTS} bob's IDLE connection reads; <b>total</b>, both. Messages are sent one after
 * the other, each after the previous one's EXISTS.
 *
 * <p>Usage: {@code DeliveryLatencyBench [NODES [MESSAGES [WARMUP [DIR]]]]}, defaults 8, 300, 20,
 * {@code epost/target/bench-delivery}; {@code -Depost.bench.keep=true} keeps the daemons' files and
 * logs there afterwards. Run with the shaded jar and the test classes on the class path (the
 * daemons are started with the same class path): see {@code docs/benchmarks.md}.
 */
public final class DeliveryLatencyBench {
  private DeliveryLatencyBench() {}

  /** Body of about 4.7 KB with the headers (the size the post-core targets name). */
  static final int BODY_BYTES = 4_400;

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path dir = Path.of(args.length > 3 ? args[3] : "epost/target/bench-delivery").toAbsolutePath();
    if (nodes < 3) {
      throw new IllegalArgumentException("at least 3 nodes: the operator's, alice's, bob's");
    }
    ProcessRing.deleteTree(dir);
    long t0 = System.nanoTime();
    try (ProcessRing ring = ProcessRing.create(dir, "ring.test")) {
      ring.keepFiles = Boolean.getBoolean("epost.bench.keep"); // -Depost.bench.keep=true: logs stay
      for (int i = 1; i <= nodes - 3; i++) {
        ring.member("storer" + i, false);
      }
      ring.member("alice", true);
      ring.member("bob", true);
      // alice's dispatcher logs each message's store and notify times at DEBUG (to alice.err)
      Path logging = dir.resolve("alice-logging.properties");
      java.nio.file.Files.writeString(
          logging,
          "handlers=java.util.logging.ConsoleHandler\n"
              + "java.util.logging.ConsoleHandler.level=FINE\n"
              + ".level=INFO\n"
              + "org.epost.mail.submit.Dispatcher.level=FINE\n");
      ring.get("alice").jvmOptions =
          List.of("-Xmx256m", "-Djava.util.logging.config.file=" + logging);
      ring.startAll();
      System.out.printf(Locale.ROOT, "%d epost run processes ready in %.1f s%n", nodes, secs(t0));
      ProcessRing.Member alice = ring.get("alice");
      ProcessRing.Member bob = ring.get("bob");
      try (Idle idle = Idle.open(bob.imapPort, bob.address, bob.password);
          Smtp smtp = Smtp.open(alice.smtpPort, alice.address, alice.password)) {
        long exists = idle.initial;
        long[] submit = new long[messages];
        long[] deliver = new long[messages];
        String body = body();
        int outboxOnly = 0;
        for (int i = -warmup; i < messages; i++) {
          String subject = "bench-" + i;
          long[] t = smtp.send(alice.address, bob.address, subject, body);
          if (!smtp.lastReply.contains("stored")) {
            outboxOnly++;
          }
          long seen = idle.awaitExists(exists + 1, 60);
          exists++;
          if (i >= 0) {
            submit[i] = t[1] - t[0];
            deliver[i] = Math.max(0, seen - t[1]);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "%d messages of %d bytes after %d warm-up, one at a time; %d replies not 'stored'%n",
            messages,
            smtp.lastSize,
            warmup,
            outboxOnly);
        report("submit: '.' to '250' (send to notified)", submit);
        report("deliver: '250' to bob's IDLE EXISTS", deliver);
        long[] total = new long[messages];
        for (int i = 0; i < messages; i++) {
          total[i] = submit[i] + deliver[i];
        }
        report("total: '.' to EXISTS", total);
        reportPostCore(dir.resolve("alice.err"), messages);
      }
    }
  }

  /**
   * Issue 14's send-to-notified without SMTP and the outbox: the last {@code messages} times
   * alice's dispatcher logged (from the store's start through post-core's store at a majority to
   * every notification durable in bob's pending store).
   */
  static void reportPostCore(Path aliceErr, int messages) throws java.io.IOException {
    java.util.regex.Pattern p =
        java.util.regex.Pattern.compile(
            "store ([0-9.]+) ms, notify ([0-9.]+) ms, store and notify ([0-9.]+) ms");
    List<long[]> rows = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(aliceErr)) {
      java.util.regex.Matcher m = p.matcher(line);
      if (m.find()) {
        rows.add(
            new long[] {
              (long) (Double.parseDouble(m.group(1)) * 1e6),
              (long) (Double.parseDouble(m.group(2)) * 1e6),
              (long) (Double.parseDouble(m.group(3)) * 1e6)
            });
      }
    }
    if (rows.size() < messages) {
      System.out.println("post-core times: only " + rows.size() + " lines in " + aliceErr);
      return;
    }
    rows = rows.subList(rows.size() - messages, rows.size());
    String[] names = {
      "post-core store (majority of k)",
      "post-core notify (pending store)",
      "post-core send to notified"
    };
    for (int c = 0; c < 3; c++) {
      long[] v = new long[messages];
      for (int i = 0; i < messages; i++) {
        v[i] = rows.get(i)[c];
      }
      report(names[c], v);
    }
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  static String body() {
    StringBuilder b = new StringBuilder();
    String line = "The quick brown fox jumps over the lazy dog while the ring keeps the mail. ";
    while (b.length() < BODY_BYTES) {
      b.append(line).append("\r\n");
    }
    return b.toString();
  }

  static void report(String what, long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    System.out.printf(
        Locale.ROOT,
        "%-40s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n",
        what,
        ms(s, 0.50),
        ms(s, 0.90),
        ms(s, 0.99),
        s[s.length - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  /** A plain SMTP submission client: EHLO, AUTH PLAIN, then one transaction per send. */
  static final class Smtp implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    String lastReply = "";
    int lastSize;

    private Smtp(Socket socket) throws IOException {
      this.socket = socket;
      this.in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      this.out = socket.getOutputStream();
    }

    static Smtp open(int port, String user, String password) throws IOException {
      Smtp s = new Smtp(new Socket("127.0.0.1", port));
      s.socket.setSoTimeout(120_000);
      s.expect("220");
      s.command("EHLO bench.local", "250");
      String plain =
          Base64.getEncoder()
              .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
      s.command("AUTH PLAIN " + plain, "235");
      return s;
    }

    /** One message; {nanoTime the final "." was written, nanoTime "250" was read}. */
    long[] send(String from, String to, String subject, String body) throws IOException {
      command("MAIL FROM:<" + from + ">", "250");
      command("RCPT TO:<" + to + ">", "250");
      command("DATA", "354");
      String msg =
          "From: "
              + from
              + "\r\nTo: "
              + to
              + "\r\nSubject: "
              + subject
              + "\r\nMessage-ID: <"
              + subject
              + "."
              + System.nanoTime()
              + "@bench.local>\r\nDate: Mon, 7 Dec 2026 12:00:00 +0000\r\n\r\n"
              + body;
      byte[] bytes = msg.getBytes(StandardCharsets.US_ASCII);
      lastSize = bytes.length;
      out.write(bytes);
      out.flush();
      long dot = System.nanoTime();
      out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      expect("250");
      return new long[] {dot, System.nanoTime()};
    }

    private void command(String line, String code) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      expect(code);
    }

    private void expect(String code) throws IOException {
      String l;
      do {
        l = in.readLine();
        if (l == null) {
          throw new IOException("SMTP connection closed, expected " + code);
        }
      } while (l.length() > 3 && l.charAt(3) == '-');
      lastReply = l;
      if (!l.startsWith(code)) {
        throw new IOException("expected " + code + ", got " + l);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } finally {
        socket.close();
      }
    }
  }

  /** An IMAP connection idling on INBOX; a reader thread notes when each EXISTS arrives. */
  static final class Idle implements AutoCloseable {
    private final Socket socket;
    private final BlockingQueue<long[]> exists = new LinkedBlockingQueue<>();
    long initial;

    private Idle(Socket socket) {
      this.socket = socket;
    }

    static Idle open(int port, String user, String password) throws IOException {
      Idle idle = new Idle(new Socket("127.0.0.1", port));
      idle.socket.setTcpNoDelay(true);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(idle.socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = idle.socket.getOutputStream();
      List<String> lines = new ArrayList<>();
      lines.add(in.readLine());
      out.write(
          ("a LOGIN \"" + user + "\" \"" + password + "\"\r\nb SELECT INBOX\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      String l;
      while ((l = in.readLine()) != null && !l.startsWith("b ")) {
        if (l.startsWith("* ") && l.endsWith(" EXISTS")) {
          idle.initial = Long.parseLong(l.split(" ")[1]);
        }
        if (l.startsWith("a ") && !l.startsWith("a OK")) {
          throw new IOException("LOGIN: " + l);
        }
      }
      if (l == null || !l.startsWith("b OK")) {
        throw new IOException("SELECT: " + l);
      }
      out.write("c IDLE\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      l = in.readLine();
      if (l == null || !l.startsWith("+")) {
        throw new IOException("IDLE: " + l);
      }
      Thread reader =
          new Thread(
              () -> {
                try {
                  String line;
                  while ((line = in.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.startsWith("* ") && line.endsWith(" EXISTS")) {
                      idle.exists.add(new long[] {Long.parseLong(line.split(" ")[1]), now});
                    }
                  }
                } catch (IOException e) {
                  // closed
                }
              },
              "idle-reader");
      reader.setDaemon(true);
      reader.start();
      return idle;
    }

    /** Waits for an EXISTS of at least {@code n}; the nanoTime it was read. */
    long awaitExists(long n, int seconds) throws IOException, InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (true) {
        long left = end - System.nanoTime();
        long[] e = exists.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (e == null) {
          throw new IOException("no EXISTS " + n + " within " + seconds + " s");
        }
        if (e[0] >= n) {
          return e[1];
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
