package org.epost.smtp.bench;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.epost.smtp.DiskMailStore;
import org.epost.smtp.SmtpProxy;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;

/**
 * BENCHMARK SERVER (not a test): the submission proxy on a fixed port with its relay queue in
 * {@code dir/queue} and the disk store fixture in {@code dir/store}. Relayed mail stays queued (the
 * smarthost port is closed), so the run measures acceptance alone: every 250 is fsynced. Arguments:
 * dir port.
 */
public final class BenchServerMain {
  private BenchServerMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    DiskMailStore store = new DiskMailStore(dir.resolve("store"), Set.of("bob@ring.example"));
    SmtpProxy proxy =
        SmtpProxy.start(
            SmtpServerConfig.submission(
                    Set.of("ring.example"), PasswordVerifier.ofTable(Map.of("bench", "bench")))
                .withPort(port)
                .withMaxConnections(200),
            store,
            Optional.of(
                RelayConfig.of(dir.resolve("queue"), "127.0.0.1", closedPort)
                    .withTls(RelayConfig.TlsPolicy.NONE, null)
                    .withRetry(Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(5))
                    .withMaxQueuedMessages(10_000_000)));
    System.out.println("READY " + proxy.address().getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
