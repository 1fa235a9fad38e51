package org.epost.smtp.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.RelayConfig.TlsPolicy;

/**
 * A small SMTP client that hands one message to the smarthost: EHLO, STARTTLS (with host name
 * verification), AUTH PLAIN, MAIL, one RCPT per recipient, DATA with dot-stuffing, QUIT. Each
 * recipient's outcome is reported separately, so that a 4xx for one and a 250 for another are kept
 * apart (docs/adr/0042).
 *
 * <p>Not thread-safe; one instance per delivery attempt, used by the relay worker thread.
 */
final class SmarthostClient {
  private static final int MAX_REPLY_LINE = 4096;
  private static final int MAX_REPLY_LINES = 100;

  /** A reply of the smarthost: code and full text. */
  record Reply(int code, String text) {
    boolean positive() {
      return code / 100 == 2;
    }

    boolean permanent() {
      return code / 100 == 5;
    }
  }

  /** The outcome for one recipient: its reply (2xx delivered, 4xx retry, 5xx failed). */
  record Outcome(String recipient, Reply reply) {}

  private final RelayConfig config;
  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private Set<String> extensions = new HashSet<>();

  SmarthostClient(RelayConfig config) {
    this.config = config;
  }

  /**
   * Delivers one message. Never throws for protocol or network trouble: such trouble is a 4xx
   * outcome for every recipient not yet decided.
   */
  /** Opens the message to send; called once per attempt, after DATA was accepted. */
  @FunctionalInterface
  interface MessageSource {
    InputStream open() throws IOException;
  }

  List<Outcome> deliver(String reversePath, List<String> recipients, MessageSource message) {
    List<Outcome> outcomes = new ArrayList<>();
    try {
      connect();
      Reply reply = read();
      if (!reply.positive()) {
        return all(recipients, tempOf(reply));
      }
      reply = hello();
      if (!reply.positive()) {
        return all(recipients, tempOf(reply));
      }
      boolean tls = false;
      if (config.tlsPolicy() != TlsPolicy.NONE && extensions.contains("STARTTLS")) {
        reply = command("STARTTLS");
        if (reply.code() != 220) {
          return all(recipients, tempOf(reply));
        }
        startTls();
        tls = true;
        reply = hello();
        if (!reply.positive()) {
          return all(recipients, tempOf(reply));
        }
      } else if (config.tlsPolicy() == TlsPolicy.REQUIRE_STARTTLS) {
        return all(
            recipients,
            new Reply(451, "451 4.7.10 smarthost does not offer STARTTLS and TLS is required"));
      }
      if (config.user().isPresent()) {
        if (!tls && config.tlsPolicy() != TlsPolicy.NONE) {
          return all(
              recipients, new Reply(451, "451 4.7.10 refusing to send credentials without TLS"));
        }
        String token =
            Base64.getEncoder()
                .encodeToString(
                    ("\0" + config.user().get() + "\0" + config.password().orElse(""))
                        .getBytes(StandardCharsets.UTF_8));
        reply = command("AUTH PLAIN " + token);
        if (reply.code() != 235) {
          // A refused login is a configuration problem: keep the mail and retry.
          return all(recipients, tempOf(reply));
        }
      }
      // Read only once the smarthost is there: a down smarthost costs no read of the message.
      WireBody.Scan scan = WireBody.scan(message.open());
      boolean offers8bit = extensions.contains("8BITMIME");
      boolean downgrade = scan.needs7bit(offers8bit);
      if (downgrade && !scan.convertible()) {
        // Sending as is would break RFC 6152 (or carry NULs no body may hold); the sender gets a
        // DSN that says why (docs/adr/0048).
        quit();
        return all(
            recipients,
            new Reply(
                554,
                "554 5.6.3 "
                    + (scan.hasNul()
                        ? "the message has NUL bytes"
                        : "the smarthost does not offer 8BITMIME and the message has 8-bit content")
                    + " that cannot be converted to 7 bits ("
                    + scan.whyNot()
                    + ")"));
      }
      boolean utf8 = !isAscii(reversePath) || recipients.stream().anyMatch(r -> !isAscii(r));
      StringBuilder mail = new StringBuilder("MAIL FROM:<").append(reversePath).append('>');
      if (offers8bit && !downgrade) {
        mail.append(" BODY=8BITMIME");
      }
      if (utf8 && extensions.contains("SMTPUTF8")) {
        mail.append(" SMTPUTF8");
      }
      reply = command(mail.toString());
      if (!reply.positive()) {
        return all(recipients, reply.permanent() ? reply : tempOf(reply));
      }
      List<String> accepted = new ArrayList<>();
      for (String r : recipients) {
        Reply rr = command("RCPT TO:<" + r + ">");
        if (rr.positive()) {
          accepted.add(r);
        } else {
          outcomes.add(new Outcome(r, rr.permanent() ? rr : tempOf(rr)));
        }
      }
      if (accepted.isEmpty()) {
        quit();
        return outcomes;
      }
      reply = command("DATA");
      if (reply.code() != 354) {
        outcomes.addAll(all(accepted, reply.permanent() ? reply : tempOf(reply)));
        return outcomes;
      }
      sendDotStuffed(message, downgrade);
      reply = read();
      Reply finalReply = reply.positive() || reply.permanent() ? reply : tempOf(reply);
      outcomes.addAll(all(accepted, finalReply));
      quit();
      return outcomes;
    } catch (IOException | RuntimeException e) {
      Set<String> decided = new HashSet<>();
      outcomes.forEach(o -> decided.add(o.recipient()));
      Reply failure =
          new Reply(
              451,
              "451 4.4.1 smarthost "
                  + config.smarthost()
                  + ":"
                  + config.smarthostPort()
                  + " unreachable or broke the connection: "
                  + e.getMessage());
      for (String r : recipients) {
        if (!decided.contains(r)) {
          outcomes.add(new Outcome(r, failure));
        }
      }
      return outcomes;
    } finally {
      closeQuietly();
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.connect(
        new InetSocketAddress(config.smarthost(), config.smarthostPort()),
        (int) config.connectTimeout().toMillis());
    socket.setSoTimeout((int) config.replyTimeout().toMillis());
    attach();
  }

  private void attach() throws IOException {
    in = new BufferedInputStream(socket.getInputStream());
    out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
  }

  private void startTls() throws IOException {
    SSLContext context;
    try {
      context =
          config.tlsContext().isPresent() ? config.tlsContext().get() : SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IOException("no TLS implementation", e);
    }
    SSLSocket tls =
        (SSLSocket)
            context
                .getSocketFactory()
                .createSocket(socket, config.smarthost(), config.smarthostPort(), true);
    tls.setUseClientMode(true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    socket = tls;
    attach();
  }

  private Reply hello() throws IOException {
    Reply reply = command("EHLO " + config.heloName());
    extensions = new HashSet<>();
    String[] lines = reply.text().split("\n");
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].length() > 4 ? lines[i].substring(4) : "";
      extensions.add(line.split(" ")[0].toUpperCase(Locale.ROOT));
    }
    return reply;
  }

  private Reply command(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return read();
  }

  private void quit() {
    try {
      command("QUIT");
    } catch (IOException ignored) {
      // the message is decided already
    }
  }

  private Reply read() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int lines = 0; lines < MAX_REPLY_LINES; lines++) {
      String line = readLine();
      if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
        throw new IOException("malformed reply from smarthost: " + line);
      }
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(line);
      if (line.length() == 3 || line.charAt(3) != '-') {
        return new Reply(Integer.parseInt(line.substring(0, 3)), text.toString());
      }
    }
    throw new IOException("smarthost reply longer than " + MAX_REPLY_LINES + " lines");
  }

  private String readLine() throws IOException {
    StringBuilder b = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("smarthost closed the connection");
      }
      if (c == '\n') {
        int end = b.length();
        if (end > 0 && b.charAt(end - 1) == '\r') {
          b.setLength(end - 1);
        }
        return b.toString();
      }
      if (b.length() >= MAX_REPLY_LINE) {
        throw new IOException("smarthost reply line too long");
      }
      b.append((char) c);
    }
  }

  /**
   * Sends the message with every line end as CRLF, transparency dots and the final CRLF.CRLF;
   * re-encoded as quoted-printable if {@code sevenBit} (docs/adr/0045, 0048).
   */
  private void sendDotStuffed(MessageSource message, boolean sevenBit) throws IOException {
    WireBody.DotStuffing wire = new WireBody.DotStuffing(out);
    if (sevenBit) {
      WireBody.writeQuotedPrintable(message.open(), wire);
    } else {
      try (InputStream body = message.open()) {
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = body.read(chunk)) != -1) {
          wire.write(chunk, 0, n);
        }
      }
    }
    wire.finish();
  }

  private static Reply tempOf(Reply reply) {
    return reply.code() / 100 == 4
        ? reply
        : new Reply(451, "451 4.3.0 unexpected reply: " + reply.text());
  }

  private static List<Outcome> all(List<String> recipients, Reply reply) {
    return recipients.stream().map(r -> new Outcome(r, reply)).toList();
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 0x80);
  }

  private void closeQuietly() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // done anyway
      }
    }
  }
}
