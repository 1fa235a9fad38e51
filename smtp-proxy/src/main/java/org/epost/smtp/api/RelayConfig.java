package org.epost.smtp.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How mail for addresses outside the ring leaves: a durable queue directory and the smarthost it is
 * handed to. Immutable; adjust defaults with the {@code with...} methods.
 *
 * <p>Defaults: STARTTLS required; first retry after 1 minute, doubling up to 1 hour, each delay
 * shortened by up to half at random (jitter); messages expire after 5 days (RFC 5321 4.5.4.1
 * suggests 4-5 days) and a delivery status notification goes back to the sender.
 */
public final class RelayConfig {

  /** Whether the connection to the smarthost must be encrypted. */
  public enum TlsPolicy {
    /** Fail (and retry later) if the smarthost does not offer STARTTLS or the handshake fails. */
    REQUIRE_STARTTLS,
    /** Use STARTTLS when offered; otherwise send in clear (only for a smarthost on loopback). */
    OPPORTUNISTIC,
    /** Never encrypt (only for a smarthost on loopback). */
    NONE
  }

  private final Path queueDirectory;
  private final String smarthost;
  private final int smarthostPort;
  private TlsPolicy tlsPolicy = TlsPolicy.REQUIRE_STARTTLS;
  private Optional<SSLContext> tlsContext = Optional.empty();
  private Optional<String> user = Optional.empty();
  private Optional<String> password = Optional.empty();
  private String heloName = "localhost";
  private Duration firstRetry = Duration.ofMinutes(1);
  private Duration maxRetry = Duration.ofHours(1);
  private Duration expiry = Duration.ofDays(5);
  private Duration connectTimeout = Duration.ofSeconds(30);
  private Duration replyTimeout = Duration.ofMinutes(5);
  private int maxQueuedMessages = 100_000;

  private RelayConfig(Path queueDirectory, String smarthost, int smarthostPort) {
    this.queueDirectory = Objects.requireNonNull(queueDirectory);
    this.smarthost = Objects.requireNonNull(smarthost);
    this.smarthostPort = smarthostPort;
  }

  /** Relay through {@code host:port}, keeping the queue in {@code queueDirectory}. */
  public static RelayConfig of(Path queueDirectory, String host, int port) {
    return new RelayConfig(queueDirectory, host, port);
  }

  private RelayConfig copy() {
    RelayConfig c = new RelayConfig(queueDirectory, smarthost, smarthostPort);
    c.tlsPolicy = tlsPolicy;
    c.tlsContext = tlsContext;
    c.user = user;
    c.password = password;
    c.heloName = heloName;
    c.firstRetry = firstRetry;
    c.maxRetry = maxRetry;
    c.expiry = expiry;
    c.connectTimeout = connectTimeout;
    c.replyTimeout = replyTimeout;
    c.maxQueuedMessages = maxQueuedMessages;
    return c;
  }

  /** The TLS policy and the context whose trust store verifies the smarthost. */
  public RelayConfig withTls(TlsPolicy policy, SSLContext context) {
    RelayConfig c = copy();
    c.tlsPolicy = Objects.requireNonNull(policy);
    c.tlsContext = Optional.ofNullable(context);
    return c;
  }

  /** Authenticate to the smarthost with AUTH PLAIN (sent only over TLS unless policy is NONE). */
  public RelayConfig withCredentials(String user, String password) {
    RelayConfig c = copy();
    c.user = Optional.of(user);
    c.password = Optional.of(password);
    return c;
  }

  /** The name sent in EHLO and in DSNs' Reporting-MTA. */
  public RelayConfig withHeloName(String name) {
    RelayConfig c = copy();
    c.heloName = Objects.requireNonNull(name);
    return c;
  }

  /** Backoff: first delay, the cap, and when a message is given up. */
  public RelayConfig withRetry(Duration first, Duration max, Duration giveUpAfter) {
    RelayConfig c = copy();
    c.firstRetry = first;
    c.maxRetry = max;
    c.expiry = giveUpAfter;
    return c;
  }

  /** Socket timeouts towards the smarthost. */
  public RelayConfig withTimeouts(Duration connect, Duration reply) {
    RelayConfig c = copy();
    c.connectTimeout = connect;
    c.replyTimeout = reply;
    return c;
  }

  /** Bound on queued messages; when full, new relayed mail gets 452 4.3.1. */
  public RelayConfig withMaxQueuedMessages(int n) {
    RelayConfig c = copy();
    c.maxQueuedMessages = n;
    return c;
  }

  public Path queueDirectory() {
    return queueDirectory;
  }

  public String smarthost() {
    return smarthost;
  }

  public int smarthostPort() {
    return smarthostPort;
  }

  public TlsPolicy tlsPolicy() {
    return tlsPolicy;
  }

  public Optional<SSLContext> tlsContext() {
    return tlsContext;
  }

  public Optional<String> user() {
    return user;
  }

  public Optional<String> password() {
    return password;
  }

  public String heloName() {
    return heloName;
  }

  public Duration firstRetry() {
    return firstRetry;
  }

  public Duration maxRetry() {
    return maxRetry;
  }

  public Duration expiry() {
    return expiry;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration replyTimeout() {
    return replyTimeout;
  }

  public int maxQueuedMessages() {
    return maxQueuedMessages;
  }
}
