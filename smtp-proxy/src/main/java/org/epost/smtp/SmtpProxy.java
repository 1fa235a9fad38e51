package org.epost.smtp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.relay.OutboundQueue;
import org.epost.smtp.relay.RelayWorker;
import org.epost.smtp.server.RelayQueue;
import org.epost.smtp.server.SmtpListener;

/**
 * The module's entry point: one listener (submission or gateway) plus, for submission with a relay,
 * the durable outbound queue and its delivery worker.
 *
 * <pre>
 * SmtpProxy proxy = SmtpProxy.start(SmtpServerConfig.submission(Set.of("ring.example"), passwords)
 *         .withPort(1587), backend, Optional.of(RelayConfig.of(queueDir, "smtp.isp.example", 587)));
 * </pre>
 */
public final class SmtpProxy implements AutoCloseable {
  private final SmtpListener listener;
  private final Optional<OutboundQueue> queue;
  private final Optional<RelayWorker> worker;

  private SmtpProxy(
      SmtpListener listener, Optional<OutboundQueue> queue, Optional<RelayWorker> worker) {
    this.listener = listener;
    this.queue = queue;
    this.worker = worker;
  }

  /** Starts with the system clock and a secure random source for retry jitter. */
  public static SmtpProxy start(
      SmtpServerConfig config, SubmissionBackend backend, Optional<RelayConfig> relay)
      throws IOException {
    return start(config, backend, relay, Clock.systemUTC());
  }

  /** Starts with an injected clock (tests of expiry and rate limits). */
  public static SmtpProxy start(
      SmtpServerConfig config, SubmissionBackend backend, Optional<RelayConfig> relay, Clock clock)
      throws IOException {
    if (relay.isPresent() && config.mode() == SmtpServerConfig.Mode.GATEWAY) {
      throw new IllegalArgumentException(
          "a gateway never relays; give no RelayConfig in gateway mode");
    }
    Optional<OutboundQueue> queue = Optional.empty();
    Optional<RelayWorker> worker = Optional.empty();
    if (relay.isPresent()) {
      OutboundQueue q =
          new OutboundQueue(relay.get().queueDirectory(), clock, relay.get().maxQueuedMessages());
      RelayWorker w =
          new RelayWorker(
              q, relay.get(), clock, new SecureRandom(), backend, config::isLocalDomain);
      w.start();
      queue = Optional.of(q);
      worker = Optional.of(w);
    }
    SmtpListener listener =
        SmtpListener.start(config, backend, queue.map(q -> (RelayQueue) q), clock);
    return new SmtpProxy(listener, queue, worker);
  }

  /** Where the listener is bound. */
  public InetSocketAddress address() {
    return listener.address();
  }

  /** Messages waiting for relay (0 without relay). */
  public int queuedForRelay() {
    return worker.map(RelayWorker::pendingMessages).orElse(0);
  }

  @Override
  public void close() {
    listener.close();
    worker.ifPresent(RelayWorker::close);
    queue.ifPresent(OutboundQueue::close);
  }
}
