package org.epost.smtp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** TEST HELPER: a byte-level SMTP client that shows exactly what the server answers. */
final class RawSmtpClient implements AutoCloseable {
  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  RawSmtpClient(InetSocketAddress address) throws IOException {
    this(address, null);
  }

  /** Connects from {@code localAddress} (e.g. 127.0.0.2, a second client host), or any if null. */
  RawSmtpClient(InetSocketAddress address, java.net.InetAddress localAddress) throws IOException {
    socket = new Socket();
    if (localAddress != null) {
      socket.bind(new InetSocketAddress(localAddress, 0));
    }
    socket.connect(address, 5000);
    socket.setSoTimeout(20_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    out = socket.getOutputStream();
  }

  /** Sends bytes as they are. */
  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void sendRaw(String text) throws IOException {
    sendRaw(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends one line with CRLF and returns the complete reply (lines joined by \n). */
  String command(String line) throws IOException {
    sendRaw(line + "\r\n");
    return reply();
  }

  /** Reads one complete (possibly multi-line) reply, or null at end of stream. */
  String reply() throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      String line = in.readLine();
      if (line == null) {
        return b.length() == 0 ? null : b.toString();
      }
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(line);
      if (line.length() < 4 || line.charAt(3) != '-') {
        return b.toString();
      }
    }
  }

  /** Greeting, EHLO and AUTH PLAIN as {@code user}. */
  void login(String user, String password) throws IOException {
    expect(reply(), "220 ");
    expect(command("EHLO client.test"), "250");
    expect(
        command(
            "AUTH PLAIN "
                + Base64.getEncoder()
                    .encodeToString(
                        ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8))),
        "235 2.7.0");
  }

  static String expect(String reply, String prefix) {
    if (reply == null || !reply.startsWith(prefix)) {
      throw new AssertionError("expected a reply starting with '" + prefix + "' but got: " + reply);
    }
    return reply;
  }

  /** True once the server closed the connection. */
  boolean closedByServer() throws IOException {
    return in.read() == -1;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
