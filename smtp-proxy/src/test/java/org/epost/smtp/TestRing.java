package org.epost.smtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;

/**
 * TEST HELPER: a submission proxy for ring.example on an ephemeral loopback port over a disk store.
 */
final class TestRing implements AutoCloseable {
  static final String DOMAIN = "ring.example";
  static final String ALICE = "alice@ring.example";
  static final String BOB = "bob@ring.example";
  static final String PASSWORD = "s3cret-generated";

  final DiskMailStore store;
  final SmtpProxy proxy;

  private TestRing(DiskMailStore store, SmtpProxy proxy) {
    this.store = store;
    this.proxy = proxy;
  }

  static TestRing submission(
      Path dir, UnaryOperator<SmtpServerConfig> tune, Optional<RelayConfig> relay)
      throws IOException {
    DiskMailStore store = new DiskMailStore(dir.resolve("store"), Set.of(ALICE, BOB));
    SmtpServerConfig config =
        tune.apply(
            SmtpServerConfig.submission(
                    Set.of(DOMAIN),
                    PasswordVerifier.ofTable(Map.of(ALICE, PASSWORD, BOB, PASSWORD)))
                .withHostName("mx.ring.example"));
    return new TestRing(store, SmtpProxy.start(config, store, relay));
  }

  static TestRing gateway(Path dir, UnaryOperator<SmtpServerConfig> tune) throws IOException {
    DiskMailStore store = new DiskMailStore(dir.resolve("store"), Set.of(ALICE, BOB));
    SmtpServerConfig config =
        tune.apply(SmtpServerConfig.gateway(Set.of(DOMAIN)).withHostName("gw.ring.example"));
    return new TestRing(store, SmtpProxy.start(config, store, Optional.empty()));
  }

  InetSocketAddress address() {
    return proxy.address();
  }

  int port() {
    return proxy.address().getPort();
  }

  RawSmtpClient client() throws IOException {
    return new RawSmtpClient(address());
  }

  @Override
  public void close() {
    proxy.close();
  }
}
