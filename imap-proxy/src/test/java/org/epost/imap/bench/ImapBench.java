package org.epost.imap.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.fixture.InMemoryBackend;
import org.epost.imap.server.ImapServers;

/**
 * Load driver (a benchmark, not a test). Modes:
 *
 * <ul>
 *   <li>{@code genmaildir <dir> <count>}: writes the benchmark messages as a maildir (for Dovecot)
 *   <li>{@code remote <host> <port> <user> <password>}: SELECT, UID FETCH 1:* (FLAGS), full-body
 *       fetch
 *   <li>{@code idle <host> <port> <user> <password> <connections> <seconds>}: holds logged-in idle
 *       connections
 *   <li>{@code epost <count>}: same measurements against an in-process ePOST server over the
 *       fixture, plus heap per idle connection and SELECT of a 100,000-message folder
 * </ul>
 */
public final class ImapBench {
  private static final int RUNS = 9;
  private static final int WARMUP = 30;

  private ImapBench() {}

  /** Deterministic ~4.7 KB message number i. */
  public static byte[] message(int i) {
    Random r = new Random(i);
    StringBuilder sb = new StringBuilder();
    sb.append("From: Sender ")
        .append(i % 97)
        .append(" <sender")
        .append(i % 97)
        .append("@example.org>\r\n")
        .append("To: Alice <alice@example.org>\r\nSubject: Benchmark message ")
        .append(i)
        .append("\r\n")
        .append("Date: Thu, 1 Feb 2024 10:00:00 +0000\r\nMessage-ID: <bench-")
        .append(i)
        .append(
            "@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
    while (sb.length() < 4700) {
      for (int k = 0; k < 72; k++) {
        sb.append((char) ('a' + r.nextInt(26)));
      }
      sb.append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "genmaildir" -> {
        Path dir = Path.of(args[1]);
        for (String sub : List.of("cur", "new", "tmp")) {
          Files.createDirectories(dir.resolve(sub));
        }
        int n = Integer.parseInt(args[2]);
        for (int i = 1; i <= n; i++) {
          Files.write(dir.resolve("cur").resolve("1706781600." + i + ".bench:2,"), message(i));
        }
      }
      case "remote" -> measure(args[1], Integer.parseInt(args[2]), args[3], args[4]);
      case "idle" -> {
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < Integer.parseInt(args[5]); i++) {
          Client c = new Client(args[1], Integer.parseInt(args[2]));
          c.run("LOGIN " + args[3] + " " + args[4]);
          c.run("SELECT INBOX");
          clients.add(c);
        }
        System.out.println("holding " + clients.size() + " idle connections");
        Thread.sleep(Long.parseLong(args[6]) * 1000);
      }
      case "epost" -> epost(Integer.parseInt(args[1]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void epost(int count) throws Exception {
    InMemoryBackend backend = new InMemoryBackend().addUser("bench", "bench");
    for (int i = 1; i <= count; i++) {
      backend.deliver(
          "bench", "INBOX", message(i), Set.of(), Instant.parse("2024-02-01T10:00:00Z"));
    }
    byte[] small = "Subject: s\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII);
    backend.addUser("big", "big");
    for (int i = 1; i <= 100_000; i++) {
      backend.deliver("big", "INBOX", small, Set.of(), Instant.parse("2024-02-01T10:00:00Z"));
    }
    try (ImapServer server = ImapServers.start(ImapServerConfig.defaults().withPort(0), backend)) {
      int port = server.localAddress().getPort();
      measure("127.0.0.1", port, "bench", "bench");
      try (Client c = new Client("127.0.0.1", port)) {
        c.run("LOGIN big big");
        double[] t = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
          long s = System.nanoTime();
          c.run("SELECT INBOX");
          t[i] = (System.nanoTime() - s) / 1e6;
        }
        System.out.printf(
            "SELECT 100,000 messages: median %.1f ms (runs %s)%n", median(t), Arrays.toString(t));
      }
      idleMemory(port, 1000, false);
      idleMemory(port, 1000, true);
    }
  }

  private static void idleMemory(int port, int n, boolean select) throws Exception {
    List<Client> clients = new ArrayList<>();
    long before = usedHeapAfterGc();
    for (int i = 0; i < n; i++) {
      Client c = new Client("127.0.0.1", port, 256);
      c.run("LOGIN bench bench");
      if (select) {
        c.run("SELECT INBOX");
      }
      clients.add(c);
    }
    long after = usedHeapAfterGc();
    long direct = io.netty.buffer.PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    System.out.printf(
        "idle connections (%s): %d, heap delta %.1f KiB per connection (server and the"
            + " client-side socket objects), pooled direct memory %d KiB total%n",
        select ? "logged in, INBOX of 10,000 selected" : "logged in",
        n,
        (after - before) / 1024.0 / n,
        direct / 1024);
    for (Client c : clients) {
      c.close();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void measure(String host, int port, String user, String password)
      throws IOException {
    try (Client c = new Client(host, port)) {
      c.run("LOGIN " + user + " " + password);
      long s0 = System.nanoTime();
      c.run("SELECT INBOX");
      System.out.printf("first SELECT: %.1f ms%n", (System.nanoTime() - s0) / 1e6);
      double[] select = new double[RUNS];
      double[] flags = new double[RUNS];
      double[] mbps = new double[RUNS];
      long bytes = 0;
      // steady state for both servers: unmeasured rounds first (a JIT warms up; a cache fills)
      for (int i = 0; i < WARMUP; i++) {
        c.run("SELECT INBOX");
        c.run("UID FETCH 1:* (FLAGS)");
        c.run("UID FETCH 1:* (BODY.PEEK[])");
      }
      for (int i = 0; i < RUNS; i++) {
        long s = System.nanoTime();
        c.run("SELECT INBOX");
        select[i] = (System.nanoTime() - s) / 1e6;
        s = System.nanoTime();
        c.run("UID FETCH 1:* (FLAGS)");
        flags[i] = (System.nanoTime() - s) / 1e6;
        s = System.nanoTime();
        bytes = c.run("UID FETCH 1:* (BODY.PEEK[])");
        double secs = (System.nanoTime() - s) / 1e9;
        mbps[i] = bytes / secs / 1e6;
      }
      System.out.printf("SELECT: median %.2f ms %s%n", median(select), Arrays.toString(select));
      System.out.printf(
          "UID FETCH 1:* (FLAGS): median %.1f ms %s%n", median(flags), Arrays.toString(flags));
      System.out.printf(
          "UID FETCH 1:* (BODY.PEEK[]): %d literal bytes, median %.1f MB/s %s%n",
          bytes, median(mbps), Arrays.toString(mbps));
    }
    qresync(host, port, user, password);
  }

  /**
   * RFC 7162 resynchronisation: a QRESYNC client remembers UIDVALIDITY and HIGHESTMODSEQ, another
   * client flags 100 messages, then the first selects with QRESYNC. Compares the bytes of that
   * SELECT's response with those of a full {@code FETCH 1:* (FLAGS)} (what a client without QRESYNC
   * must fetch to learn the same).
   */
  private static void qresync(String host, int port, String user, String password)
      throws IOException {
    try (Client a = new Client(host, port);
        Client b = new Client(host, port)) {
      a.run("LOGIN " + user + " " + password);
      a.run("ENABLE QRESYNC");
      a.run("SELECT INBOX");
      long validity = a.code("UIDVALIDITY");
      long modSeq = a.code("HIGHESTMODSEQ");
      int exists = (int) a.exists;
      a.run("UNSELECT");
      b.run("LOGIN " + user + " " + password);
      b.run("SELECT INBOX");
      StringBuilder set = new StringBuilder();
      for (int i = 0; i < 100; i++) {
        set.append(i > 0 ? "," : "").append(1 + (long) i * exists / 100);
      }
      b.run("UID STORE " + set + " +FLAGS.SILENT (\\Flagged)");
      long before = a.bytes;
      long s = System.nanoTime();
      a.run("SELECT INBOX (QRESYNC (" + validity + " " + modSeq + "))");
      double ms = (System.nanoTime() - s) / 1e6;
      long resync = a.bytes - before;
      int changed = a.fetches;
      before = b.bytes;
      b.run("FETCH 1:* (FLAGS)");
      long full = b.bytes - before;
      System.out.printf(
          "QRESYNC SELECT after 100 flag changes: %d bytes (%d FETCH responses, %.1f ms);"
              + " full FETCH 1:* (FLAGS): %d bytes; ratio %.2f%%%n",
          resync, changed, ms, full, 100.0 * resync / full);
    }
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  /**
   * Minimal IMAP client: sends a tagged command, reads to the tagged reply, counts literal bytes.
   */
  static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    /** Read buffer: the driver parses lines from it without a call per byte. */
    private final byte[] buf;

    private int pos;
    private int limit;
    private final OutputStream out;
    private int tag;

    /** Bytes received so far (lines with their CRLF, and literals). */
    long bytes;

    /** From the last command: untagged FETCH responses, EXISTS, response codes seen. */
    int fetches;

    long exists;
    private final java.util.Map<String, Long> codes = new java.util.HashMap<>();

    long code(String name) {
      Long v = codes.get(name);
      if (v == null) {
        throw new IllegalStateException("no [" + name + "] in the last response");
      }
      return v;
    }

    Client(String host, int port) throws IOException {
      this(host, port, 65536);
    }

    Client(String host, int port, int bufferSize) throws IOException {
      socket = new Socket(host, port);
      in = socket.getInputStream();
      buf = new byte[bufferSize];
      out = socket.getOutputStream();
      line();
    }

    long run(String command) throws IOException {
      String t = "b" + (++tag);
      out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long literalBytes = 0;
      byte[] skip = new byte[4096];
      fetches = 0;
      codes.clear();
      while (true) {
        String l = line();
        if (l.startsWith("* ") && l.contains(" FETCH ")) {
          fetches++;
        } else if (l.endsWith(" EXISTS")) {
          exists = Long.parseLong(l.substring(2, l.length() - 7));
        } else if (l.startsWith("* OK [")) {
          String[] code = l.substring(6, l.indexOf(']')).split(" ");
          if (code.length == 2 && code[1].chars().allMatch(Character::isDigit)) {
            codes.put(code[0], Long.parseLong(code[1]));
          }
        }
        if (l.startsWith(t + " ")) {
          if (!l.startsWith(t + " OK")) {
            throw new IOException(command + " failed: " + l);
          }
          return literalBytes;
        }
        if (l.endsWith("}")) {
          int b = l.lastIndexOf('{');
          long n = Long.parseLong(l.substring(b + 1, l.length() - 1));
          literalBytes += n;
          while (n > 0) {
            int r = read(skip, (int) Math.min(skip.length, n));
            if (r < 0) {
              throw new IOException("EOF in literal");
            }
            n -= r;
            bytes += r;
          }
        }
      }
    }

    private boolean fill() throws IOException {
      pos = 0;
      limit = Math.max(0, in.read(buf));
      return limit > 0;
    }

    private int read(byte[] into, int n) throws IOException {
      if (pos == limit && !fill()) {
        return -1;
      }
      int r = Math.min(n, limit - pos);
      System.arraycopy(buf, pos, into, 0, r);
      pos += r;
      return r;
    }

    private String line() throws IOException {
      StringBuilder sb = null;
      while (true) {
        if (pos == limit && !fill()) {
          throw new IOException("connection closed");
        }
        int start = pos;
        while (pos < limit && buf[pos] != '\n') {
          pos++;
        }
        bytes += pos - start;
        String part = new String(buf, start, pos - start, StandardCharsets.US_ASCII);
        if (pos < limit) {
          pos++;
          bytes++;
          String l = sb == null ? part : sb.append(part).toString();
          return l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
        }
        sb = sb == null ? new StringBuilder(part) : sb.append(part);
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
