package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.epost.smtp.api.RelayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay client against an SMTP server we did not write: Python's aiosmtpd (Debian package
 * python3-aiosmtpd) requiring STARTTLS and AUTH, refusing one recipient.
 */
class RelayToIndependentSmarthostTest {
  @TempDir Path dir;
  Process smarthost;
  TestRing ring;

  @AfterEach
  void stop() throws Exception {
    if (ring != null) {
      ring.close();
    }
    if (smarthost != null) {
      smarthost.getOutputStream().close();
      if (!smarthost.waitFor(5, TimeUnit.SECONDS)) {
        smarthost.destroyForcibly();
      }
    }
  }

  private int startSmarthost(Path out) throws Exception {
    String python = ExternalTool.locate("python3", "python3 python3-aiosmtpd");
    Path script = dir.resolve("aiosmtpd_smarthost.py");
    try (InputStream in = getClass().getResourceAsStream("/aiosmtpd_smarthost.py")) {
      Files.copy(in, script);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    smarthost =
        new ProcessBuilder(
                python,
                script.toString(),
                String.valueOf(port),
                TestTls.pem().toString(),
                RelayTest.RELAY_USER,
                RelayTest.RELAY_PASSWORD,
                out.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(smarthost.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = lines.readLine()) != null && !line.startsWith("READY")) {
      seen.append(line).append('\n');
    }
    if (line == null) {
      throw new AssertionError(
          "aiosmtpd smarthost did not start (is python3-aiosmtpd installed? CI installs it"
              + " from .ci/packages/smtp-proxy.txt):\n"
              + seen);
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                lines.transferTo(java.io.Writer.nullWriter());
              } catch (java.io.IOException ignored) {
                // process ended
              }
            });
    drain.setDaemon(true);
    drain.start();
    return port;
  }

  private static List<String> received(Path out) throws Exception {
    try (Stream<Path> files = Files.list(out)) {
      return files
          .filter(f -> f.toString().endsWith(".eml"))
          .map(
              f -> {
                try {
                  return Files.readString(f, StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .toList();
    }
  }

  @Test
  void relaysOverStartTlsWithAuthAndBouncesTheRefusedRecipient() throws Exception {
    Path out = Files.createDirectories(dir.resolve("received"));
    int port = startSmarthost(out);
    ring =
        TestRing.submission(
            dir,
            c -> c,
            Optional.of(
                RelayConfig.of(dir.resolve("queue"), "localhost", port)
                    .withTls(RelayConfig.TlsPolicy.REQUIRE_STARTTLS, TestTls.client())
                    .withCredentials(RelayTest.RELAY_USER, RelayTest.RELAY_PASSWORD)
                    .withRetry(
                        Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(10))));
    String body = "independent-marker\r\n.line starting with a dot\r\n";
    try (RawSmtpClient c = ring.client()) {
      c.login(TestRing.ALICE, TestRing.PASSWORD);
      RawSmtpClient.expect(c.command("MAIL FROM:<alice@ring.example>"), "250");
      RawSmtpClient.expect(c.command("RCPT TO:<carol@outside.example>"), "250");
      RawSmtpClient.expect(c.command("RCPT TO:<ghost@outside.example>"), "250");
      RawSmtpClient.expect(c.command("DATA"), "354");
      RawSmtpClient.expect(
          c.command(
              "Subject: to python\r\nMessage-ID: <indep@ring.example>\r\n\r\n"
                  + body.replace("\r\n.line", "\r\n..line")
                  + "."),
          "250 2.0.0");
    }
    for (int i = 0;
        i < 300 && (received(out).isEmpty() || ring.store.messagesFor(TestRing.ALICE).isEmpty());
        i++) {
      Thread.sleep(100);
    }
    List<String> got = received(out);
    assertEquals(1, got.size(), "one copy at the smarthost");
    String message = got.get(0);
    assertTrue(
        message.startsWith(
            "X-Smarthost-Envelope: from=<alice@ring.example> to=carol@outside.example tls=True auth="),
        message);
    assertTrue(
        message.startsWith(
            "X-Smarthost-Envelope: from=<alice@ring.example> to=carol@outside.example tls=True auth=True"),
        "authenticated: " + message);
    assertTrue(
        message.endsWith("\r\n\r\n" + body),
        "body unchanged and dot-unstuffed by the receiver: " + message);
    List<String> bounces = ring.store.messagesFor(TestRing.ALICE);
    assertEquals(1, bounces.size(), "a DSN for ghost@outside.example");
    assertTrue(bounces.get(0).contains("Final-Recipient: rfc822; ghost@outside.example"));
    assertTrue(bounces.get(0).contains("Status: 5.1.1"));
  }
}
