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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The operator's way into a running node: a TCP port bound to loopback only, one command per
 * connection, authenticated by the token in the node's data directory.
 *
 * <pre>
 * client: AUTH &lt;token&gt;          server: (nothing, or "error bad token" and close)
 * client: ROUTE &lt;40 hex&gt;        server: "delivered &lt;id&gt; hops=&lt;n&gt;" | "error &lt;reason&gt;"
 * client: ROUTE &lt;40 hex&gt; timed  server: "delivered &lt;id&gt; hops=&lt;n&gt; route_us=&lt;rtt&gt; direct_us=&lt;rtt&gt;" | "error ..."
 * client: STATUS                 server: status lines, then "end"
 * </pre>
 *
 * Lines are ASCII, at most {@value #MAX_LINE} characters; a connection has 10 s per line. Threads:
 * one acceptor plus at most four handlers; a fifth concurrent client is refused.
 */
final class ControlServer implements AutoCloseable {
  static final int MAX_LINE = 256;
  private static final System.Logger LOG = System.getLogger("org.epost.overlay.node");

  /** What the commands do; implemented by the daemon, called on control threads. */
  interface Commands {
    /**
     * Routes a probe; {@code timed} adds the route's and the direct round trip (see
     * NodeDaemon#routeAnswer).
     */
    String route(String keyHex, boolean timed) throws Exception;

    List<String> status() throws Exception;
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
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    this.handlers =
        new ThreadPoolExecutor(
            1,
            4,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1),
            r -> {
              Thread t = new Thread(r, "node-control");
              t.setDaemon(true);
              return t;
            },
            (r, ex) -> {
              throw new java.util.concurrent.RejectedExecutionException();
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
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.log(Level.WARNING, "control port busy; refusing a client");
        closeQuietly(s);
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
      String auth = readLine(in);
      if (auth == null
          || !auth.startsWith("AUTH ")
          || !MessageDigest.isEqual(auth.substring(5).getBytes(StandardCharsets.US_ASCII), token)) {
        LOG.log(Level.WARNING, "control client gave a wrong token; closing");
        out.write("error bad token\n");
        out.flush();
        return;
      }
      String cmd = readLine(in);
      if (cmd == null) {
        return;
      }
      if (cmd.startsWith("ROUTE ")) {
        String[] args = cmd.substring(6).trim().split(" ");
        if (args.length > 2 || (args.length == 2 && !args[1].equals("timed"))) {
          out.write("error usage: ROUTE <40 hex> [timed]\n");
        } else {
          out.write(answer(() -> commands.route(args[0], args.length == 2)) + "\n");
        }
      } else if (cmd.equals("STATUS")) {
        try {
          for (String line : commands.status()) {
            out.write(line + "\n");
          }
          out.write("end\n");
        } catch (Exception e) {
          out.write("error " + e.getMessage() + "\n");
        }
      } else {
        out.write("error unknown command (ROUTE <key> or STATUS)\n");
      }
      out.flush();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "control client failed: {0}", e.toString());
    }
  }

  private interface Call {
    String run() throws Exception;
  }

  private static String answer(Call c) {
    try {
      return c.run();
    } catch (java.util.concurrent.ExecutionException e) {
      return "error " + e.getCause().getMessage();
    } catch (Exception e) {
      return "error " + e.getMessage();
    }
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

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing left to do
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    handlers.shutdownNow();
  }
}
