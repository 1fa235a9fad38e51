package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SubmissionBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closing the proxy while a message is being accepted: the backend's call finishes and the client
 * gets its "250" before the connection goes, so a message the backend stored is never one the
 * client believes failed (and sends again).
 */
class GracefulCloseTest {
  @TempDir Path tmp;

  @Test
  void aMessageBeingAcceptedGetsItsReplyBeforeTheClose() throws Exception {
    CountDownLatch inDeliver = new CountDownLatch(1);
    SubmissionBackend slow =
        new SubmissionBackend() {
          @Override
          public void checkRecipient(String address) {}

          @Override
          public void deliver(Envelope envelope, InputStream message) {
            inDeliver.countDown();
            try {
              message.readAllBytes();
              Thread.sleep(500);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        };
    SmtpProxy proxy =
        SmtpProxy.start(
            SmtpServerConfig.submission(
                    Set.of(TestRing.DOMAIN),
                    PasswordVerifier.ofTable(Map.of(TestRing.ALICE, TestRing.PASSWORD)))
                .withPort(0)
                .withSpoolDirectory(tmp),
            slow,
            Optional.empty());
    InetSocketAddress at = proxy.address();
    CompletableFuture<String> reply =
        CompletableFuture.supplyAsync(
            () -> {
              try (RawSmtpClient c = new RawSmtpClient(at)) {
                c.login(TestRing.ALICE, TestRing.PASSWORD);
                c.command("MAIL FROM:<" + TestRing.ALICE + ">");
                c.command("RCPT TO:<" + TestRing.BOB + ">");
                c.command("DATA");
                c.sendRaw("Subject: x\r\n\r\nbody\r\n.\r\n");
                return c.reply();
              } catch (Exception e) {
                return "failed: " + e;
              }
            });
    assertTrue(inDeliver.await(10, TimeUnit.SECONDS), "the backend is storing the message");
    proxy.close();
    String got = reply.get(10, TimeUnit.SECONDS);
    assertTrue(got.startsWith("250"), "the client got: " + got);
  }
}
