package org.epost.mail.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.epost.imap.api.ImapServer;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.server.ImapServers;
import org.epost.mail.api.StoredMail;
import org.epost.mail.imap.PostMailboxBackend;
import org.epost.mail.mailbox.PostAccount;
import org.epost.mail.testing.LoopbackRing;

/**
 * IMAP on the ring side by side with Dovecot (a benchmark, not a test; run by {@code
 * epost/bench/imap-vs-dovecot.sh}). Modes:
 *
 * <ul>
 *   <li>{@code genmaildir <dir> <count>}: the benchmark messages as a Maildir (for Dovecot)
 *   <li>{@code remote <port> <user> <password> <label>}: the measurements against a server
 *   <li>{@code epost <dir> <count>}: a LoopbackRing of four node runtimes in this JVM, the messages
 *       stored and filed through the account API (store + fileAll, 100 per log write), the IMAP
 *       proxy on the real backend; measures warm, then again after the account's node, account and
 *       IMAP server restart
 *   <li>{@code memory <dir> <count>}: fills an account of {@code count} messages, waits for the
 *       index, prints the heap in use after a full GC, SELECT and FETCH FLAGS of that folder
 * </ul>
 */
public final class ImapRingBench {
  private static final int RUNS = 9;
  private static final int WARMUP = 5;
  private static final String RARE = "zebrafish";
  private static final String[] WORDS = vocabulary();

  private ImapRingBench() {}

  /** 5,000 pronounceable pseudo-words, so the term dictionary is like real mail's. */
  private static String[] vocabulary() {
    Random r = new Random(42);
    String c = "bcdfghjklmnprstvwz";
    String v = "aeiou";
    String[] w = new String[5000];
    for (int i = 0; i < w.length; i++) {
      StringBuilder sb = new StringBuilder();
      int syl = 1 + r.nextInt(4);
      for (int s = 0; s < syl; s++) {
        sb.append(c.charAt(r.nextInt(c.length()))).append(v.charAt(r.nextInt(v.length())));
      }
      w[i] = sb.toString();
    }
    return w;
  }

  /** Deterministic ~4.7 KB message number i; every 100th has the word "zebrafish". */
  static byte[] message(int i) {
    Random r = new Random(i);
    StringBuilder sb = new StringBuilder();
    sb.append("From: Sender ")
        .append(i % 97)
        .append(" <sender")
        .append(i % 97)
        .append("@example.org>\r\nTo: Alice <alice@ring.example>\r\nSubject: Benchmark message ")
        .append(i)
        .append("\r\nDate: Thu, 1 Feb 2024 10:00:00 +0000\r\nMessage-ID: <bench-")
        .append(i)
        .append(
            "@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n");
    int line = 0;
    while (sb.length() < 4700) {
      String w = WORDS[(int) Math.min(WORDS.length - 1, Math.abs(r.nextGaussian()) * 800)];
      if (i % 100 == 0 && sb.length() > 2000 && !sb.toString().contains(RARE)) {
        w = RARE;
      }
      sb.append(w);
      line += w.length() + 1;
      if (line > 70) {
        sb.append("\r\n");
        line = 0;
      } else {
        sb.append(' ');
      }
    }
    sb.append("\r\n");
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
          Files.write(
              dir.resolve("cur").resolve(String.format("%d.M%dP1.bench:2,", 1700000000 + i, i)),
              message(i));
        }
      }
      case "remote" -> measure(Integer.parseInt(args[1]), args[2], args[3], args[4]);
      case "restart" -> afterRestart(Integer.parseInt(args[1]), args[2], args[3], args[4]);
      case "epost" -> epost(Path.of(args[1]), Integer.parseInt(args[2]));
      case "memory" -> memory(Path.of(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void fill(PostAccount a, int count) throws Exception {
    long t0 = System.nanoTime();
    int batch = 100;
    List<CompletableFuture<List<Long>>> pending = new ArrayList<>();
    for (int from = 1; from <= count; from += batch) {
      List<CompletableFuture<StoredMail>> stored = new ArrayList<>();
      for (int i = from; i < from + batch && i <= count; i++) {
        stored.add(a.store(new ByteArrayInputStream(message(i))).toCompletableFuture());
      }
      List<PostAccount.Filing> filings = new ArrayList<>();
      for (CompletableFuture<StoredMail> s : stored) {
        filings.add(
            new PostAccount.Filing(
                s.get(120, TimeUnit.SECONDS), new byte[0], Set.of(), 1706781600000L));
      }
      pending.add(a.fileAll("INBOX", filings).toCompletableFuture());
      if (pending.size() >= 4) {
        pending.remove(0).get(120, TimeUnit.SECONDS);
      }
      if (from % 1000 == 1) {
        System.out.printf("  filled %d in %.1f s%n", from - 1, (System.nanoTime() - t0) / 1e9);
      }
    }
    for (CompletableFuture<List<Long>> p : pending) {
      p.get(120, TimeUnit.SECONDS);
    }
    System.out.printf(
        "filled %d messages through store + fileAll in %.1f s (%.0f msg/s)%n",
        count, (System.nanoTime() - t0) / 1e9, count / ((System.nanoTime() - t0) / 1e9));
  }

  private static void awaitIndexed(PostAccount a, int count) throws Exception {
    long t0 = System.nanoTime();
    // the index is internal: ask with a search whose verdicts are all known once it is complete
    while (true) {
      var hits = a.searchText("INBOX", RARE, false);
      int unknown = 0;
      for (long u = 1; u <= count; u++) {
        if (hits.verdict(u) == org.epost.imap.api.TextSearch.Verdict.UNKNOWN) {
          unknown++;
        }
      }
      if (unknown == 0) {
        break;
      }
      Thread.sleep(500);
    }
    System.out.printf(
        "indexed and cached %d messages after %.1f s more%n",
        count, (System.nanoTime() - t0) / 1e9);
  }

  private static ImapServer serve(PostAccount a) throws Exception {
    PostMailboxBackend backend = new PostMailboxBackend();
    backend.register("alice@ring.example", "bench", a);
    ImapServerConfig cfg =
        ImapServerConfig.defaults()
            .withBindAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .withTimeouts(Duration.ofMinutes(5), Duration.ofSeconds(90));
    return ImapServers.start(cfg, backend);
  }

  private static void epost(Path dir, int count) throws Exception {
    try (LoopbackRing ring = LoopbackRing.start(dir, 4)) {
      LoopbackRing.User alice = ring.enrol("alice@ring.example", 1);
      PostAccount a = ring.open(alice);
      fill(a, count);
      awaitIndexed(a, count);
      try (ImapServer server = serve(a)) {
        measure(server.localAddress().getPort(), "alice@ring.example", "bench", "epost warm");
      }
      a.close();
      for (int r = 0; r < RESTARTS; r++) {
        long t0 = System.nanoTime();
        ring.restart(1);
        long t1 = System.nanoTime();
        PostAccount b = ring.open(alice);
        long t2 = System.nanoTime();
        try (ImapServer server = serve(b)) {
          System.out.printf(
              "restart: node, account and IMAP server up in %.0f ms (node %.0f ms, account open"
                  + " %.0f ms)%n",
              (System.nanoTime() - t0) / 1e6, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
          afterRestart(server.localAddress().getPort(), "alice@ring.example", "bench", "epost");
        } finally {
          b.close();
        }
      }
    }
  }

  /** Restarts measured, each a sample of the first SELECT and FETCH after a restart. */
  private static final int RESTARTS = Integer.getInteger("restarts", 5);

  private static void memory(Path dir, int count) throws Exception {
    try (LoopbackRing ring = LoopbackRing.start(dir, 4)) {
      LoopbackRing.User alice = ring.enrol("alice@ring.example", 1);
      PostAccount a = ring.open(alice);
      fill(a, count);
      awaitIndexed(a, count);
      try (ImapServer server = serve(a)) {
        measure(server.localAddress().getPort(), "alice@ring.example", "bench", "epost " + count);
      }
      System.gc();
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      System.out.printf(
          "heap after a full GC with %d messages (4 nodes, the account, the IMAP server in one JVM):"
              + " used %.1f MB, max %.1f MB%n",
          count, heap.getUsed() / 1e6, heap.getMax() / 1e6);
      a.close();
    }
  }

  private static void afterRestart(int port, String user, String password, String label)
      throws IOException {
    try (Client c = new Client(port)) {
      c.run("LOGIN " + user + " " + password);
      long s = System.nanoTime();
      c.run("SELECT INBOX");
      double sel = (System.nanoTime() - s) / 1e6;
      s = System.nanoTime();
      c.run("UID FETCH 1:* (FLAGS)");
      double flags = (System.nanoTime() - s) / 1e6;
      System.out.printf(
          "%s after restart: first SELECT %.1f ms, first UID FETCH 1:* (FLAGS) %.1f ms (%d messages)%n",
          label, sel, flags, c.exists);
    }
  }

  private static void measure(int port, String user, String password, String label)
      throws IOException {
    try (Client c = new Client(port)) {
      c.run("LOGIN " + user + " " + password);
      double[] select = new double[RUNS];
      double[] flags = new double[RUNS];
      double[] mbps = new double[RUNS];
      double[] search = new double[RUNS];
      long bytes = 0;
      for (int i = 0; i < WARMUP; i++) {
        c.run("SELECT INBOX");
        c.run("UID FETCH 1:* (FLAGS)");
        c.run("UID FETCH 1:* (BODY.PEEK[])");
        c.run("UID SEARCH TEXT " + RARE);
      }
      String found = "";
      for (int i = 0; i < RUNS; i++) {
        long s = System.nanoTime();
        c.run("SELECT INBOX");
        select[i] = (System.nanoTime() - s) / 1e6;
        s = System.nanoTime();
        c.run("UID FETCH 1:* (FLAGS)");
        flags[i] = (System.nanoTime() - s) / 1e6;
        s = System.nanoTime();
        bytes = c.run("UID FETCH 1:* (BODY.PEEK[])");
        mbps[i] = bytes / ((System.nanoTime() - s) / 1e9) / 1e6;
        s = System.nanoTime();
        c.run("UID SEARCH TEXT " + RARE);
        search[i] = (System.nanoTime() - s) / 1e6;
        found = c.lastSearch;
      }
      System.out.printf(
          "%s (%d messages): SELECT median %.2f ms; UID FETCH 1:* (FLAGS) median %.1f ms;"
              + " UID FETCH 1:* (BODY.PEEK[]) %d bytes, median %.1f MB/s; UID SEARCH TEXT %s median"
              + " %.1f ms (%d found)%n",
          label,
          c.exists,
          median(select),
          median(flags),
          bytes,
          median(mbps),
          RARE,
          median(search),
          found.isBlank() ? 0 : found.trim().split(" ").length);
      System.out.printf(
          "  runs: select %s%n  flags %s%n  MB/s %s%n  search %s%n",
          Arrays.toString(select),
          Arrays.toString(flags),
          Arrays.toString(mbps),
          Arrays.toString(search));
    }
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  /** Minimal IMAP client: a tagged command, read to its tagged reply, literals skipped. */
  static final class Client implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private int tag;
    long exists;
    String lastSearch = "";

    Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      in = socket.getInputStream();
      out = socket.getOutputStream();
      line();
    }

    long run(String command) throws IOException {
      String t = "b" + (++tag);
      out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long literal = 0;
      byte[] skip = new byte[1 << 16];
      while (true) {
        String l = line();
        if (l.endsWith(" EXISTS")) {
          exists = Long.parseLong(l.substring(2, l.length() - 7));
        } else if (l.startsWith("* SEARCH")) {
          lastSearch = l.substring(8);
        }
        if (l.startsWith(t + " ")) {
          if (!l.startsWith(t + " OK")) {
            throw new IOException(command + " failed: " + l);
          }
          return literal;
        }
        if (l.endsWith("}")) {
          long n = Long.parseLong(l.substring(l.lastIndexOf('{') + 1, l.length() - 1));
          literal += n;
          while (n > 0) {
            if (pos == limit && !fill()) {
              throw new IOException("EOF in literal");
            }
            int r = (int) Math.min(n, limit - pos);
            pos += r;
            n -= r;
          }
        }
      }
    }

    private boolean fill() throws IOException {
      pos = 0;
      limit = Math.max(0, in.read(buf));
      return limit > 0;
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos == limit && !fill()) {
          throw new IOException("connection closed");
        }
        int start = pos;
        while (pos < limit && buf[pos] != '\n') {
          pos++;
        }
        sb.append(new String(buf, start, pos - start, StandardCharsets.US_ASCII));
        if (pos < limit) {
          pos++;
          int n = sb.length();
          return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
