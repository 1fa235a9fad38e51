package org.epost.overlay.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The operator's way into a running node: a TCP port bound to loopback only, authenticated by the
 * token in the node's data directory. After {@code AUTH}, the client sends commands one per line
 * and reads each answer before the next; the connection ends when the client closes it (or after
 * {@value #IDLE_MILLIS} ms without a command).
 *
 * <pre>
 * AUTH &lt;token&gt;              (nothing, or "error bad token" and close)
 * ROUTE &lt;40 hex&gt; [timed]     "delivered &lt;id&gt; hops=&lt;n&gt; [route_us=.. direct_us=..]"
 * STATUS                     status lines, then "end"
 * PUT &lt;absolute path&gt;        "stored &lt;id&gt; bytes=&lt;n&gt; chunks=&lt;c&gt;" (the node reads the file)
 * GET &lt;40 hex&gt; &lt;abs path&gt;   "got &lt;id&gt; bytes=&lt;n&gt;" (the node writes the file)
 * PUTB &lt;base64&gt;              "stored &lt;id&gt; replicas=&lt;r&gt;" (one object, at most 56 KiB)
 * GETB &lt;40 hex&gt;              "data &lt;base64&gt;"
 * PUBLISH &lt;topic&gt; &lt;text&gt;     "published &lt;topic&gt; ..."
 * SUBSCRIBE &lt;topic&gt;          "subscribed &lt;topic&gt;", then "attached", "pub &lt;text&gt;", "lost &lt;n&gt;"
 *                            and "alive" (every 5 s when quiet) until the client closes
 * </pre>
 *
 * Any command may instead answer {@code error <reason>}. Lines are UTF-8, at most {@value
 * #MAX_LINE} characters (a base64 object fits).
 *
 * <p>Bounds (ADR 0097). A connection is <em>unauthenticated</em> until its token line: at most
 * {@value #MAX_UNAUTHENTICATED} at once, each with {@value #AUTH_LINE_MILLIS} ms for the whole line
 * (trickling bytes do not extend it) and a line of at most {@value #MAX_AUTH_LINE} characters. When
 * they are all taken, a newcomer takes the place of the oldest one that has sent nothing, else of
 * the oldest that has had {@value #UNAUTHENTICATED_GRACE_MILLIS} ms, else it is told "error busy";
 * so clients without the token never hold the slots of authenticated ones, and an operator who
 * sends the token at once (as {@link ControlClient} does) gets in. A wrong token is answered "error
 * bad token" after a delay that doubles with each failure on the connection and with the failures
 * of the last {@value #FAILURE_WINDOW_MILLIS} ms on the whole port (from {@value
 * #BAD_TOKEN_DELAY_MILLIS} ms up to {@value #MAX_BAD_TOKEN_DELAY_MILLIS} ms); the client may send
 * another {@code AUTH} line, and the {@value #MAX_TOKEN_ATTEMPTS}rd failure, or any other line,
 * ends the connection. The right token is never delayed. <em>Authenticated</em> connections: at
 * most {@value #MAX_CONNECTIONS} (one thread each; one more is told "error busy" and closed),
 * {@value #IDLE_MILLIS} ms idle, and the per-command bounds of {@link Operations}. Refusals are
 * logged at most once per {@value #LOG_INTERVAL_MILLIS} ms per kind, with a count of the rest.
 */
final class ControlServer implements AutoCloseable {
  static final int MAX_LINE = 80_000;
  static final int MAX_CONNECTIONS = 32;
  static final int IDLE_MILLIS = 30_000;
  static final int MAX_UNAUTHENTICATED = 8;
  static final int AUTH_LINE_MILLIS = 2_000;
  static final int MAX_AUTH_LINE = 256;
  static final int UNAUTHENTICATED_GRACE_MILLIS = 250;
  static final int MAX_TOKEN_ATTEMPTS = 3;
  static final int BAD_TOKEN_DELAY_MILLIS = 100;
  static final int MAX_BAD_TOKEN_DELAY_MILLIS = 5_000;
  static final int FAILURE_WINDOW_MILLIS = 10_000;
  static final int LOG_INTERVAL_MILLIS = 10_000;
  private static final System.Logger LOG = System.getLogger("org.epost.overlay.node");

  /** Where a streaming command writes its lines; throws once the client has gone. */
  interface LineSink {
    void line(String s) throws IOException;
  }

  /** What the commands do; implemented by the node, called on control threads. */
  interface Commands {
    /**
     * Routes a probe; {@code timed} adds the route's and the direct round trip (see
     * NodeDaemon#routeAnswer).
     */
    String route(String keyHex, boolean timed) throws Exception;

    List<String> status() throws Exception;

    /** The answer lines of the application's command {@code text} (the {@code APP} verb). */
    default List<String> application(String text) throws Exception {
      return List.of("error no application command here");
    }

    default String putFile(String absolutePath) throws Exception {
      return "error PUT is not supported here";
    }

    default String getFile(String idHex, String absolutePath) throws Exception {
      return "error GET is not supported here";
    }

    default String putBytes(String base64) throws Exception {
      return "error PUTB is not supported here";
    }

    default String getBytes(String idHex) throws Exception {
      return "error GETB is not supported here";
    }

    default String publish(String topic, String text) throws Exception {
      return "error PUBLISH is not supported here";
    }

    /** Streams publications to {@code out} until it throws (the client left). */
    default void subscribe(String topic, LineSink out) throws Exception {
      out.line("error SUBSCRIBE is not supported here");
    }
  }

  private final ServerSocket socket;
  private final byte[] token;
  private final Commands commands;
  private final ThreadPoolExecutor handlers;
  private final Thread acceptor;

  /** Unauthenticated clients that have sent nothing yet, then those that have, in arrival order. */
  private final LinkedHashSet<Client> silent = new LinkedHashSet<>(); // guarded by itself

  private final LinkedHashSet<Client> speaking = new LinkedHashSet<>(); // guarded by silent
  private int authenticated; // guarded by silent

  /** When the port's recent wrong tokens came (at most 64 kept). Guarded by itself. */
  private final ArrayDeque<Long> failures = new ArrayDeque<>();

  private final LogLimiter busyLog = new LogLimiter();
  private final LogLimiter badTokenLog = new LogLimiter();

  /** One accepted connection. */
  private static final class Client {
    final Socket socket;
    final long acceptedNanos = System.nanoTime();

    Client(Socket socket) {
      this.socket = socket;
    }
  }

  /** At most one line per {@link #LOG_INTERVAL_MILLIS}; counts what it held back. */
  private static final class LogLimiter {
    private long lastNanos = System.nanoTime() - LOG_INTERVAL_MILLIS * 2_000_000L;
    private long held;

    /** -1 if the caller must not log now, else how many were held back since the last line. */
    synchronized long take() {
      long now = System.nanoTime();
      if (now - lastNanos < LOG_INTERVAL_MILLIS * 1_000_000L) {
        held++;
        return -1;
      }
      lastNanos = now;
      long h = held;
      held = 0;
      return h;
    }
  }

  ControlServer(String token, Commands commands) throws IOException {
    this.token = token.getBytes(StandardCharsets.US_ASCII);
    this.commands = commands;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.handlers =
        new ThreadPoolExecutor(
            1,
            // authenticated sessions, unauthenticated ones, and threads of evicted ones finishing
            MAX_CONNECTIONS + 2 * MAX_UNAUTHENTICATED,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread t = new Thread(r, "node-control");
              t.setDaemon(true);
              return t;
            },
            (r, ex) -> {
              throw new RejectedExecutionException();
            });
    this.acceptor = new Thread(this::acceptLoop, "node-control-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  private void acceptLoop() {
    while (!socket.isClosed()) {
      Socket s;
      try {
        s = socket.accept();
      } catch (IOException e) {
        return; // closed
      }
      Client c = new Client(s);
      Client evicted = null;
      boolean admitted = true;
      synchronized (silent) {
        if (silent.size() + speaking.size() >= MAX_UNAUTHENTICATED) {
          Iterator<Client> oldest = (silent.isEmpty() ? speaking : silent).iterator();
          Client o = oldest.next();
          if (!silent.isEmpty()
              || System.nanoTime() - o.acceptedNanos >= UNAUTHENTICATED_GRACE_MILLIS * 1_000_000L) {
            oldest.remove();
            evicted = o;
          } else {
            admitted = false;
          }
        }
        if (admitted) {
          silent.add(c);
        }
      }
      if (evicted != null) {
        closeQuietly(evicted.socket); // its thread fails its read and ends
      }
      if (!admitted) {
        refuseBusy(
            s,
            MAX_UNAUTHENTICATED + " control connections are waiting for their token",
            "control port: " + MAX_UNAUTHENTICATED + " clients without a token; refusing one");
        continue;
      }
      try {
        handlers.execute(() -> serve(c));
      } catch (RejectedExecutionException e) {
        unauthenticatedDone(c);
        refuseBusy(
            s,
            MAX_CONNECTIONS + " control connections open",
            "control port busy; refusing a client");
      }
    }
  }

  private void refuseBusy(Socket s, String why, String logLine) {
    long held = busyLog.take();
    if (held >= 0) {
      LOG.log(
          Level.WARNING,
          "{0}{1}",
          logLine,
          held > 0 ? " (" + held + " more refusals not logged since the last line)" : "");
    }
    try (s) {
      s.getOutputStream()
          .write(("error busy: " + why + "; try again\n").getBytes(StandardCharsets.US_ASCII));
    } catch (IOException ignored) {
      // it is gone
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  /** The client no longer waits for its token (authenticated, gone or evicted). Idempotent. */
  private void unauthenticatedDone(Client c) {
    synchronized (silent) {
      if (!silent.remove(c)) {
        speaking.remove(c);
      }
    }
  }

  private void spoke(Client c) {
    synchronized (silent) {
      if (silent.remove(c)) {
        speaking.add(c);
      }
    }
  }

  private void serve(Client c) {
    Socket s = c.socket;
    boolean counted = false;
    try (s) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      Writer out =
          new java.io.BufferedWriter(
              new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
      if (!authenticate(c, in, out)) {
        return;
      }
      synchronized (silent) {
        unauthenticatedDone(c);
        if (authenticated < MAX_CONNECTIONS) {
          authenticated++;
          counted = true;
        }
      }
      if (!counted) {
        refuseBusy(
            s,
            MAX_CONNECTIONS + " control connections open",
            "control port busy; refusing a client");
        return;
      }
      s.setSoTimeout(IDLE_MILLIS);
      String cmd;
      while ((cmd = readLine(in)) != null) {
        if (cmd.isEmpty()) {
          continue;
        }
        if (!dispatch(cmd, out)) {
          return;
        }
        out.flush();
      }
    } catch (SocketTimeoutException e) {
      LOG.log(Level.DEBUG, "control client idle or too slow with its token; closed");
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "control client failed: {0}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the server is closing
    } finally {
      unauthenticatedDone(c);
      if (counted) {
        synchronized (silent) {
          authenticated--;
        }
      }
    }
  }

  /**
   * Reads {@code AUTH <token>} lines, each within {@link #AUTH_LINE_MILLIS}; true once one carries
   * the token. A wrong one is answered after a growing delay; after {@link #MAX_TOKEN_ATTEMPTS}, or
   * on any other line, the connection ends (false).
   */
  private boolean authenticate(Client c, BufferedReader in, Writer out)
      throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      String auth = readAuthLine(c, in);
      if (auth == null) {
        return false;
      }
      boolean isAuth = auth.startsWith("AUTH ");
      if (isAuth
          && MessageDigest.isEqual(auth.substring(5).getBytes(StandardCharsets.US_ASCII), token)) {
        return true;
      }
      if (!isAuth && attempt > 1) {
        return false; // a client that gave up on its token; nothing more to say
      }
      long delay = badTokenDelay(attempt);
      long held = badTokenLog.take();
      if (held >= 0) {
        LOG.log(
            Level.WARNING,
            "control client gave a wrong token (answered after {0} ms){1}",
            delay,
            held > 0 ? "; " + held + " more wrong tokens since the last line" : "");
      }
      Thread.sleep(delay);
      out.write("error bad token\n");
      out.flush();
      if (!isAuth || attempt >= MAX_TOKEN_ATTEMPTS) {
        return false;
      }
    }
  }

  /**
   * The delay before answering a wrong token: doubles with each failure on this connection and with
   * each failure on the port in the last {@link #FAILURE_WINDOW_MILLIS} ms. Records this failure.
   */
  private long badTokenDelay(int attempt) {
    int recent;
    long now = System.nanoTime();
    synchronized (failures) {
      while (!failures.isEmpty()
          && now - failures.peekFirst() > FAILURE_WINDOW_MILLIS * 1_000_000L) {
        failures.pollFirst();
      }
      recent = failures.size();
      failures.addLast(now);
      if (failures.size() > 64) {
        failures.pollFirst();
      }
    }
    int doublings = Math.min(16, attempt - 1 + recent);
    return Math.min(MAX_BAD_TOKEN_DELAY_MILLIS, (long) BAD_TOKEN_DELAY_MILLIS << doublings);
  }

  /**
   * Reads the token line: at most {@link #MAX_AUTH_LINE} characters, all within {@link
   * #AUTH_LINE_MILLIS} however slowly they come; null at end of stream.
   */
  private String readAuthLine(Client c, BufferedReader in) throws IOException {
    long deadline = System.nanoTime() + AUTH_LINE_MILLIS * 1_000_000L;
    StringBuilder sb = new StringBuilder();
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        throw new SocketTimeoutException("no token line within " + AUTH_LINE_MILLIS + " ms");
      }
      c.socket.setSoTimeout((int) left);
      int ch = in.read();
      if (ch < 0) {
        return null;
      }
      spoke(c);
      if (ch == '\n') {
        return sb.toString();
      }
      if (ch != '\r') {
        sb.append((char) ch);
      }
      if (sb.length() > MAX_AUTH_LINE) {
        throw new IOException("token line longer than " + MAX_AUTH_LINE + " characters");
      }
    }
  }

  /** Runs one command; false when the connection must end (after a stream). */
  private boolean dispatch(String cmd, Writer out) throws IOException {
    int sp = cmd.indexOf(' ');
    String verb = sp < 0 ? cmd : cmd.substring(0, sp);
    String rest = sp < 0 ? "" : cmd.substring(sp + 1);
    switch (verb) {
      case "ROUTE" -> {
        String[] args = rest.trim().split(" ");
        if (rest.isBlank() || args.length > 2 || (args.length == 2 && !args[1].equals("timed"))) {
          out.write("error usage: ROUTE <40 hex> [timed]\n");
        } else {
          out.write(answer(() -> commands.route(args[0], args.length == 2)) + "\n");
        }
      }
      case "STATUS" -> {
        try {
          for (String line : commands.status()) {
            out.write(line + "\n");
          }
          out.write("end\n");
        } catch (Exception e) {
          out.write("error " + e.getMessage() + "\n");
        }
      }
      case "APP" -> {
        try {
          for (String line : commands.application(rest)) {
            out.write(line.replace('\n', ' ').replace('\r', ' ') + "\n");
          }
          out.write("end\n");
        } catch (Exception e) {
          out.write("error " + e.getMessage() + "\n");
        }
      }
      case "PUT" -> out.write(answer(() -> commands.putFile(rest)) + "\n");
      case "GET" -> {
        int s2 = rest.indexOf(' ');
        out.write(
            (s2 < 0
                    ? "error usage: GET <40 hex> <absolute path>"
                    : answer(() -> commands.getFile(rest.substring(0, s2), rest.substring(s2 + 1))))
                + "\n");
      }
      case "PUTB" -> out.write(answer(() -> commands.putBytes(rest)) + "\n");
      case "GETB" -> out.write(answer(() -> commands.getBytes(rest.trim())) + "\n");
      case "PUBLISH" -> {
        int s2 = rest.indexOf(' ');
        out.write(
            (s2 <= 0
                    ? "error usage: PUBLISH <topic> <text>"
                    : answer(() -> commands.publish(rest.substring(0, s2), rest.substring(s2 + 1))))
                + "\n");
      }
      case "SUBSCRIBE" -> {
        if (rest.isBlank() || rest.contains(" ")) {
          out.write("error usage: SUBSCRIBE <topic>\n");
          return true;
        }
        try {
          commands.subscribe(
              rest,
              line -> {
                out.write(line + "\n");
                out.flush();
              });
        } catch (IOException e) {
          return false; // the subscriber left
        } catch (Exception e) {
          out.write("error " + e.getMessage() + "\n");
        }
        return false;
      }
      default ->
          out.write(
              "error unknown command (ROUTE, STATUS, APP, PUT, GET, PUTB, GETB, PUBLISH, SUBSCRIBE)\n");
    }
    return true;
  }

  private interface Call {
    String run() throws Exception;
  }

  private static String answer(Call c) {
    try {
      return c.run();
    } catch (java.util.concurrent.ExecutionException e) {
      return "error " + describe(e.getCause());
    } catch (Exception e) {
      return "error " + describe(e);
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    String what =
        e instanceof org.epost.overlay.past.api.PastException.ObjectNotFoundException
            ? "not found: "
            : "";
    return what + (m == null ? e.getClass().getSimpleName() : m.replace('\n', ' '));
  }

  /** Reads one line of at most {@link #MAX_LINE} characters; longer input is refused. */
  private static String readLine(BufferedReader in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return sb.toString();
      }
      if (c != '\r') {
        sb.append((char) c);
      }
      if (sb.length() > MAX_LINE) {
        throw new IOException("control line longer than " + MAX_LINE + " characters");
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    socket.close();
    handlers.shutdownNow();
  }
}
