package org.epost.smtp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;

/**
 * TEST PROGRAM: the submission proxy with relay and the disk store fixture as a stand-alone
 * process, so that a test can SIGKILL it. Arguments: state directory, smarthost port. Prints {@code
 * READY <port>} once listening.
 */
public final class CrashTestServerMain {
  private CrashTestServerMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int smarthostPort = Integer.parseInt(args[1]);
    DiskMailStore store =
        new DiskMailStore(dir.resolve("store"), Set.of(TestRing.ALICE, TestRing.BOB));
    SmtpServerConfig config =
        SmtpServerConfig.submission(
                Set.of(TestRing.DOMAIN),
                PasswordVerifier.ofTable(Map.of(TestRing.ALICE, TestRing.PASSWORD)))
            .withHostName("mx.ring.example");
    RelayConfig relay =
        RelayConfig.of(dir.resolve("queue"), "127.0.0.1", smarthostPort)
            .withTls(RelayConfig.TlsPolicy.NONE, null)
            .withCredentials(RelayTest.RELAY_USER, RelayTest.RELAY_PASSWORD)
            .withRetry(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofDays(1));
    SmtpProxy proxy = SmtpProxy.start(config, store, Optional.of(relay));
    System.out.println("READY " + proxy.address().getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
