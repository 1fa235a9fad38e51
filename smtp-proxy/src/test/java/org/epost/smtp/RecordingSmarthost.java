package org.epost.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TEST HELPER: a minimal smarthost on loopback that records, byte for byte, what a relay sends
 * after DATA up to the strict end {@code CRLF.CRLF} (dot-stuffing left in), and every command line.
 * It offers 8BITMIME only when told to, so a test can see what the relay does without it. No TLS,
 * no AUTH (the relay's policy NONE).
 */
final class RecordingSmarthost implements AutoCloseable {
  /** Raw DATA payloads, terminator excluded. */
  final List<byte[]> messages = new CopyOnWriteArrayList<>();

  /** Every command line received, in order, across connections. */
  final List<String> commands = new CopyOnWriteArrayList<>();

  private final ServerSocket server;
  private final boolean offer8bit;
  private final Thread thread;

  RecordingSmarthost(boolean offer8bit) throws IOException {
    this.offer8bit = offer8bit;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "recording-smarthost");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return ((InetSocketAddress) server.getLocalSocketAddress()).getPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        s.setSoTimeout(20_000);
        session(s.getInputStream(), s.getOutputStream());
      } catch (IOException e) {
        // next connection, or closed
      }
    }
  }

  private void session(InputStream in, OutputStream out) throws IOException {
    send(out, "220 recorder ESMTP");
    while (true) {
      String line = readLine(in);
      if (line == null) {
        return;
      }
      commands.add(line);
      String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
      switch (verb) {
        case "EHLO" ->
            send(
                out,
                offer8bit
                    ? "250-recorder\r\n250-8BITMIME\r\n250 SIZE 100000000"
                    : "250-recorder\r\n250 SIZE 100000000");
        case "DATA" -> {
          send(out, "354 go ahead");
          messages.add(readData(in));
          send(out, "250 2.0.0 recorded");
        }
        case "QUIT" -> {
          send(out, "221 bye");
          return;
        }
        default -> send(out, "250 2.0.0 ok");
      }
    }
  }

  private static byte[] readData(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] end = {'\r', '\n', '.', '\r', '\n'};
    int c;
    while ((c = in.read()) != -1) {
      body.write(c);
      byte[] b = body.toByteArray();
      int n = b.length;
      if (n >= 5 && java.util.Arrays.equals(b, n - 5, n, end, 0, 5)) {
        return java.util.Arrays.copyOf(b, n - 3); // keep the last line's CRLF
      }
      if (n == 3 && b[0] == '.' && b[1] == '\r' && b[2] == '\n') {
        return new byte[0];
      }
    }
    throw new IOException("relay closed inside DATA");
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(c);
    }
    return null;
  }

  private static void send(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
