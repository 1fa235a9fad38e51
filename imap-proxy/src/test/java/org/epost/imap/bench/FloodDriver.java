package org.epost.imap.bench;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * TEST LOAD DRIVER (loopback only, bounded in count and time): a hostile local program against a
 * server running in a process of its own ({@link org.epost.imap.fixture.LimitsServer}), and the
 * measurements of ADR 0037: connection flood, pre-login memory attack, time until a new client is
 * served, heap for idle connections.
 */
public final class FloodDriver implements Closeable {
  private final Process server;
  private final PrintStream serverIn;
  private final java.util.concurrent.BlockingQueue<String> replies =
      new java.util.concurrent.LinkedBlockingQueue<>();
  private final java.util.ArrayDeque<String> log = new java.util.ArrayDeque<>();
  private final java.util.concurrent.atomic.AtomicInteger descriptorErrors =
      new java.util.concurrent.atomic.AtomicInteger();
  public final InetSocketAddress address;

  /**
   * Starts the server process.
   *
   * @param messages messages in INBOX
   * @param descriptors the server process's descriptor limit ({@code ulimit -n})
   * @param heap the server's maximum heap, e.g. {@code 256m}
   */
  public FloodDriver(int messages, int descriptors, String heap) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cmd =
        "ulimit -n "
            + descriptors
            + " && exec '"
            + java
            + "' -Xmx"
            + heap
            + " -XX:+ExitOnOutOfMemoryError -cp '"
            + System.getProperty("java.class.path")
            + "' org.epost.imap.fixture.LimitsServer "
            + messages;
    server = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
    BufferedReader serverOut =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    serverIn = new PrintStream(server.getOutputStream(), true, StandardCharsets.US_ASCII);
    // the server's output is always drained: a full pipe would stall its logging threads
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                while ((line = serverOut.readLine()) != null) {
                  if (line.startsWith("port ") || line.startsWith("heap ")) {
                    replies.add(line);
                  } else {
                    if (line.contains("Too many open files")) {
                      descriptorErrors.incrementAndGet();
                    }
                    synchronized (log) {
                      log.add(line);
                      if (log.size() > 200) {
                        log.remove();
                      }
                    }
                  }
                }
              } catch (IOException e) {
                // process gone
              }
              replies.add("end");
            },
            "limits-server-output");
    reader.setDaemon(true);
    reader.start();
    String line = reply();
    if (!line.startsWith("port ")) {
      throw new IOException("server process ended before listening");
    }
    int port = Integer.parseInt(line.substring(5).trim());
    address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  public boolean serverAlive() {
    return server.isAlive();
  }

  /** The server's last 200 lines of other output (warnings, stack traces). */
  public String serverLog() {
    synchronized (log) {
      return String.join("\n", log);
    }
  }

  /** Times the server logged "Too many open files". */
  public int descriptorErrors() {
    return descriptorErrors.get();
  }

  private String reply() throws IOException {
    try {
      String l = replies.poll(60, java.util.concurrent.TimeUnit.SECONDS);
      if (l == null || l.equals("end")) {
        replies.add("end");
        throw new IOException("server process ended");
      }
      return l;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Makes the server process use up its file descriptors; returns how many it took. */
  public int hogDescriptors() throws IOException {
    serverIn.println("hog");
    return Integer.parseInt(reply().split(" ")[2]);
  }

  /** Gives the hogged descriptors back. */
  public void releaseDescriptors() throws IOException {
    serverIn.println("release");
    reply();
  }

  /** Used heap of the server after full collections, and its pooled direct memory, in bytes. */
  public long[] serverMemory() throws IOException {
    serverIn.println("heap");
    String[] f = reply().split(" ");
    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
  }

  /**
   * Opens {@code total} connections as fast as it can, keeping at most {@code maxOpen} open
   * (closing the oldest), for at most {@code limit}; then closes all. Reads nothing.
   *
   * @return connections opened
   */
  public int flood(int total, int maxOpen, Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    Deque<Socket> open = new ArrayDeque<>();
    int opened = 0;
    try {
      while (opened < total && System.nanoTime() < end) {
        if (open.size() >= maxOpen) {
          closeQuietly(open.poll());
        }
        Socket s = new Socket();
        try {
          s.connect(address, 250); // a dropped SYN is retried after 1 s: a flood does not wait
          open.add(s);
          opened++;
        } catch (IOException e) {
          closeQuietly(s); // backlog full: the server is refusing; keep pushing
        }
      }
    } finally {
      for (Socket s : open) {
        closeQuietly(s);
      }
    }
    return opened;
  }

  /**
   * The pre-login memory attack of issue 16: each connection sends an unfinished LOGIN of up to 63
   * non-synchronizing 8 KiB literals and keeps the connection; returns the held sockets.
   */
  public List<Socket> preLoginAttack(int connections, Duration limit) {
    long end = System.nanoTime() + limit.toNanos();
    List<Socket> held = new ArrayList<>();
    byte[] chunk = new byte[8192];
    Arrays.fill(chunk, (byte) 'x');
    for (int i = 0; i < connections && System.nanoTime() < end; i++) {
      Socket s = new Socket();
      try {
        s.connect(address, 2000);
        s.setSoTimeout(2000);
        held.add(s);
        OutputStream out = s.getOutputStream();
        out.write("a LOGIN {8192+}\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int k = 0; k < 63; k++) {
          out.write(chunk);
          out.write(" {8192+}\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
      } catch (IOException e) {
        // refused or closed by the server: that is the defence working
      }
    }
    return held;
  }

  /**
   * Connects, reads the greeting, logs in, selects INBOX; retries a refused connection until {@code
   * limit}. Returns milliseconds from the first attempt to the SELECT's OK, or -1.
   */
  public double timeToServe(Duration limit) {
    long start = System.nanoTime();
    long end = start + limit.toNanos();
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(address, 2000);
        s.setSoTimeout(2000);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        if (!line(in).startsWith("* OK")) {
          continue;
        }
        out.write(
            "l LOGIN alice s3cret-pass\r\ns SELECT INBOX\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String l;
        while ((l = line(in)) != null) {
          if (l.startsWith("s OK")) {
            return (System.nanoTime() - start) / 1e6;
          }
          if (l.startsWith("l NO") || l.startsWith("s NO") || l.startsWith("* BYE")) {
            break;
          }
        }
      } catch (IOException e) {
        // refused or timed out: try again
      }
    }
    return -1;
  }

  /** Opens n connections, logs each in (and selects INBOX) if asked; the caller closes them. */
  public List<Socket> idle(int n, boolean login, boolean select) throws IOException {
    List<Socket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Socket s = new Socket();
      s.setReceiveBufferSize(4096);
      s.connect(address, 5000);
      s.setSoTimeout(10_000);
      out.add(s);
      InputStream in = s.getInputStream();
      line(in);
      if (login) {
        String cmd = "l LOGIN alice s3cret-pass\r\n" + (select ? "s SELECT INBOX\r\n" : "");
        s.getOutputStream().write(cmd.getBytes(StandardCharsets.US_ASCII));
        String last = select ? "s " : "l ";
        String l;
        while ((l = line(in)) != null && !l.startsWith(last)) {
          // untagged SELECT data
        }
        if (l == null || !l.startsWith(last + "OK")) {
          throw new IOException("connection " + i + ": " + l);
        }
      }
    }
    return out;
  }

  static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  public static void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.setSoLinger(true, 0); // reset: no TIME_WAIT pile-up on the client side
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  @Override
  public void close() {
    serverIn.println("quit");
    try {
      if (!server.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.destroyForcibly();
    }
  }

  /**
   * {@code flood <connections> <attackers>}: the flood and the pre-login attack, then the time
   * until a new client is served. {@code memory <messages>}: heap for 1,000 idle unauthenticated
   * and 1,000 idle logged-in connections with INBOX selected.
   */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "flood" -> {
        int n = Integer.parseInt(args[1]);
        int attackers = Integer.parseInt(args[2]);
        try (FloodDriver d = new FloodDriver(100, 20_000, "1g")) {
          System.out.printf(
              "before: new client served in %.1f ms%n", d.timeToServe(Duration.ofSeconds(10)));
          long t = System.nanoTime();
          int opened = d.flood(n, 15_000, Duration.ofSeconds(120));
          System.out.printf(
              "flood: %d connections opened in %.1f s; server alive: %s%n",
              opened, (System.nanoTime() - t) / 1e9, d.serverAlive());
          System.out.printf(
              "after flood: new client served in %.1f ms%n", d.timeToServe(Duration.ofSeconds(10)));
          t = System.nanoTime();
          List<Socket> held = d.preLoginAttack(attackers, Duration.ofSeconds(120));
          long[] mem = d.serverMemory();
          System.out.printf(
              "pre-login attack: %d connections in %.1f s; server heap %.1f MiB, direct %.1f MiB while held%n",
              held.size(), (System.nanoTime() - t) / 1e9, mem[0] / 1048576.0, mem[1] / 1048576.0);
          for (Socket s : held) {
            closeQuietly(s);
          }
          System.out.printf(
              "after attack: new client served in %.1f ms; server alive: %s%n",
              d.timeToServe(Duration.ofSeconds(10)), d.serverAlive());
        }
      }
      case "memory" -> {
        int messages = Integer.parseInt(args[1]);
        try (FloodDriver d = new FloodDriver(messages, 20_000, "1g")) {
          long[] base = d.serverMemory();
          System.out.printf(
              "server with %d messages, no connections: heap %.1f MiB%n",
              messages, base[0] / 1048576.0);
          report(d, base, 1000, false, false, "unauthenticated");
          report(d, base, 1000, true, false, "logged in");
          report(d, base, 1000, true, true, "logged in, INBOX selected");
        }
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void report(
      FloodDriver d, long[] base, int n, boolean login, boolean select, String what)
      throws IOException {
    List<Socket> c = d.idle(n, login, select);
    long[] m = d.serverMemory();
    System.out.printf(
        "%d idle connections (%s): heap %+.1f MiB over the empty server (%.1f KiB each), direct %.1f MiB%n",
        n, what, (m[0] - base[0]) / 1048576.0, (m[0] - base[0]) / 1024.0 / n, m[1] / 1048576.0);
    for (Socket s : c) {
      closeQuietly(s);
    }
  }
}
