package org.epost.overlay.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A client of a node's control port (see {@link ControlServer}): one command and its answer lines,
 * a session of several commands on one connection, or a stream.
 */
final class ControlClient {
  private ControlClient() {}

  /** Sends one command and returns the answer lines (up to "end" or the server closing). */
  static List<String> call(Path dataDir, String command, int timeoutMillis) throws IOException {
    try (Session s = Session.open(dataDir, timeoutMillis)) {
      return answer(s, command);
    }
  }

  /**
   * Sends one command on an open session as its last and returns the answer lines (up to "end" or
   * the server closing).
   */
  static List<String> answer(Session s, String command) throws IOException {
    s.send(command);
    s.socket.shutdownOutput();
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = s.in.readLine()) != null && !line.equals("end")) {
      lines.add(line);
      if (lines.size() > 10_000) {
        throw new IOException("control answer too long");
      }
    }
    return lines;
  }

  /**
   * Sends a streaming command and hands every answer line to {@code lines} until the server closes
   * (or the connection is closed from another thread, e.g. a shutdown hook).
   */
  static void stream(Path dataDir, String command, Consumer<String> lines, Consumer<Session> opened)
      throws IOException {
    try (Session s = Session.open(dataDir, 30_000)) {
      opened.accept(s);
      s.send(command);
      String line;
      while ((line = s.in.readLine()) != null) {
        lines.accept(line);
      }
    }
  }

  /** An authenticated connection on which commands are sent one at a time. */
  static final class Session implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final Writer out;

    private Session(Socket socket) throws IOException {
      this.socket = socket;
      this.in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      this.out =
          new java.io.BufferedWriter(
              new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8), 1 << 16);
    }

    static Session open(Path dataDir, int timeoutMillis) throws IOException {
      NodeDirectory.ControlEndpoint ep = NodeDirectory.readControl(dataDir);
      Socket s = new Socket();
      try {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ep.port()), 5_000);
        s.setSoTimeout(timeoutMillis);
        s.setTcpNoDelay(true);
        Session session = new Session(s);
        session.out.write("AUTH " + ep.token() + "\n");
        return session;
      } catch (java.net.ConnectException e) {
        s.close();
        throw new IOException(
            "no node answers on control port "
                + ep.port()
                + " (stale "
                + dataDir.resolve(NodeDirectory.CONTROL_FILE)
                + "?); is the node running?",
            e);
      } catch (IOException e) {
        s.close();
        throw e;
      }
    }

    void send(String command) throws IOException {
      out.write(command + "\n");
      out.flush();
    }

    /** Sends a command with a one-line answer and returns it (null if the server closed). */
    String ask(String command) throws IOException {
      send(command);
      return in.readLine();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
