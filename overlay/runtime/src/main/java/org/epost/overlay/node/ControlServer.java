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
 * #MAX_LINE} characters (a base64 object fits). Bounds: {@value #MAX_CONNECTIONS} connections at
 * once (one thread each; one more is told "error busy" and closed), and the per-command bounds of
 * {@link Operations}.
 */
final class ControlServer implements AutoCloseable {
  static final int MAX_LINE = 80_000;
  static final int MAX_CONNECTIONS = 32;
  static final int IDLE_MILLIS = 30_000;
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

  ControlServer(String token, Commands commands) throws IOException {
    this.token = token.getBytes(StandardCharsets.US_ASCII);
    this.commands = commands;
    this.socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    this.handlers =
        new ThreadPoolExecutor(
            1,
            MAX_CONNECTIONS,
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
      try {
        handlers.execute(() -> serve(s));
      } catch (RejectedExecutionException e) {
        LOG.log(Level.WARNING, "control port busy; refusing a client");
        try (s) {
          s.getOutputStream()
              .write(
                  ("error busy: " + MAX_CONNECTIONS + " control connections open; try again\n")
                      .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException ignored) {
          // it is gone
        }
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(IDLE_MILLIS);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      Writer out =
          new java.io.BufferedWriter(
              new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
      String auth = readLine(in);
      if (auth == null
          || !auth.startsWith("AUTH ")
          || !MessageDigest.isEqual(auth.substring(5).getBytes(StandardCharsets.US_ASCII), token)) {
        LOG.log(Level.WARNING, "control client gave a wrong token; closing");
        out.write("error bad token\n");
        out.flush();
        return;
      }
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
      LOG.log(Level.DEBUG, "control client idle; closed");
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "control client failed: {0}", e.toString());
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
              "error unknown command (ROUTE, STATUS, PUT, GET, PUTB, GETB, PUBLISH, SUBSCRIBE)\n");
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
