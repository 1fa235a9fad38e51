package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real mail clients against the submission port, over STARTTLS with AUTH: swaks, msmtp, Python's
 * smtplib and Angus Mail. Each message must arrive in the store with its body intact.
 */
class ExternalClientsTest {
  @TempDir Path dir;
  TestRing ring;

  @BeforeEach
  void start() throws Exception {
    ring = TestRing.submission(dir, c -> c.withTls(serverTls()), Optional.empty());
  }

  private static javax.net.ssl.SSLContext serverTls() {
    try {
      return TestTls.server();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    ring.close();
  }

  private String storedFor(String marker) {
    List<String> matches =
        ring.store.messagesFor(TestRing.BOB).stream().filter(m -> m.contains(marker)).toList();
    assertEquals(1, matches.size(), "exactly one stored message contains " + marker);
    return matches.get(0);
  }

  @Test
  void swaksSubmitsOverStartTlsWithAuthPlain() throws Exception {
    String swaks = ExternalTool.locate("swaks", "swaks libnet-ssleay-perl");
    ExternalTool.Result r =
        ExternalTool.run(
            List.of(
                swaks,
                "--server",
                "127.0.0.1:" + ring.port(),
                "--ehlo",
                "swaks.test",
                "--tls",
                "--auth",
                "PLAIN",
                "--auth-user",
                TestRing.ALICE,
                "--auth-password",
                TestRing.PASSWORD,
                "--from",
                TestRing.ALICE,
                "--to",
                TestRing.BOB,
                "--header",
                "Subject: from swaks",
                "--body",
                "swaks-body-marker"),
            null,
            60);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("250-PIPELINING"), r.output());
    assertTrue(
        storedFor("swaks-body-marker").contains("with ESMTPSA"),
        "TLS and AUTH recorded in Received");
  }

  @Test
  void swaksWithAWrongPasswordIsRefused() throws Exception {
    String swaks = ExternalTool.locate("swaks", "swaks libnet-ssleay-perl");
    ExternalTool.Result r =
        ExternalTool.run(
            List.of(
                swaks,
                "--server",
                "127.0.0.1:" + ring.port(),
                "--tls",
                "--auth",
                "LOGIN",
                "--auth-user",
                TestRing.ALICE,
                "--auth-password",
                "wrong",
                "--from",
                TestRing.ALICE,
                "--to",
                TestRing.BOB,
                "--body",
                "never-stored"),
            null,
            60);
    assertNotEquals(0, r.exitCode());
    assertTrue(r.output().contains("535 5.7.8"), r.output());
    assertTrue(ring.store.messagesFor(TestRing.BOB).isEmpty());
  }

  @Test
  void msmtpSubmitsOverStartTls() throws Exception {
    String msmtp = ExternalTool.locate("msmtp", "msmtp");
    byte[] message =
        ("From: alice@ring.example\r\nTo: bob@ring.example\r\nSubject: from msmtp\r\n\r\n"
                + "msmtp-body-marker\r\n.leading dot line\r\n")
            .getBytes(StandardCharsets.UTF_8);
    ExternalTool.Result r =
        ExternalTool.run(
            List.of(
                msmtp,
                "--file=/dev/null",
                "--host=127.0.0.1",
                "--port=" + ring.port(),
                "--auth=plain",
                "--user=" + TestRing.ALICE,
                "--passwordeval=echo " + TestRing.PASSWORD,
                "--tls=on",
                "--tls-starttls=on",
                "--tls-certcheck=off",
                "--from=" + TestRing.ALICE,
                TestRing.BOB),
            message,
            60);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(storedFor("msmtp-body-marker").contains("\r\n.leading dot line\r\n"));
  }

  @Test
  void msmtpSeesAnUnknownRecipientRefused() throws Exception {
    String msmtp = ExternalTool.locate("msmtp", "msmtp");
    ExternalTool.Result r =
        ExternalTool.run(
            List.of(
                msmtp,
                "--file=/dev/null",
                "--host=127.0.0.1",
                "--port=" + ring.port(),
                "--auth=plain",
                "--user=" + TestRing.ALICE,
                "--passwordeval=echo " + TestRing.PASSWORD,
                "--tls=on",
                "--tls-starttls=on",
                "--tls-certcheck=off",
                "--from=" + TestRing.ALICE,
                "ghost@ring.example"),
            "Subject: x\r\n\r\nbody\r\n".getBytes(),
            60);
    assertNotEquals(0, r.exitCode());
    assertTrue(r.output().contains("550 5.1.1"), r.output());
  }

  @Test
  void pythonSmtplibSubmitsWithStartTlsAndSeesPerRecipientRefusals() throws Exception {
    String python = ExternalTool.locate("python3", "python3");
    String script =
        String.join(
            "\n",
            "import smtplib, ssl, sys",
            "ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
            "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=30)",
            "s.ehlo('python.test'); s.starttls(context=ctx); s.ehlo('python.test')",
            "assert s.has_extn('enhancedstatuscodes') and s.has_extn('smtputf8')",
            "s.login('alice@ring.example', sys.argv[2])",
            "msg = 'Subject: from python\\r\\n\\r\\npython-body-marker \\u00e9t\\u00e9\\r\\n'.encode('utf-8')",
            "refused = s.sendmail('alice@ring.example', ['bob@ring.example', 'ghost@ring.example'], msg,"
                + " mail_options=['BODY=8BITMIME'])",
            "print('refused', refused)",
            "s.quit()");
    ExternalTool.Result r =
        ExternalTool.run(
            List.of(python, "-c", script, String.valueOf(ring.port()), TestRing.PASSWORD),
            null,
            60);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("'ghost@ring.example': (550, b'5.1.1"), r.output());
    assertTrue(
        storedFor("python-body-marker").contains("python-body-marker été"), "8-bit body kept");
  }

  @Test
  void angusMailSubmitsWithStartTlsRequired() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", String.valueOf(ring.port()));
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.trust", "*");
    p.put("mail.smtp.ssl.checkserveridentity", "false");
    p.put("mail.smtp.timeout", "30000");
    Session session = Session.getInstance(p);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(TestRing.ALICE));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(TestRing.BOB));
    m.setSubject("from angus");
    m.setText("angus-body-marker");
    Transport.send(m, TestRing.ALICE, TestRing.PASSWORD);
    String stored = storedFor("angus-body-marker");
    assertTrue(
        stored.contains("Message-ID: " + m.getMessageID()), "the client's Message-ID is kept");
  }

  @Test
  void angusMailWithoutCredentialsIsRefused() throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", String.valueOf(ring.port()));
    Session session = Session.getInstance(p);
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(TestRing.ALICE));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(TestRing.BOB));
    m.setText("no auth");
    MessagingException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            MessagingException.class, () -> Transport.send(m));
    assertTrue(String.valueOf(e.getMessage()).contains("530 5.7.0"), e.toString());
  }
}
