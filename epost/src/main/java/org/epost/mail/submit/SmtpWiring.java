package org.epost.mail.submit;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.epost.smtp.api.RelayConfig;
import org.epost.smtp.api.SmtpServerConfig;

/**
 * The daemon's SMTP configuration turned into the proxy's: the Internet gateway's listener with its
 * per-IP limits, and the smarthost relay for recipients outside the ring.
 */
public final class SmtpWiring {
  private SmtpWiring() {}

  /**
   * The gateway's per-client-IP limits.
   *
   * @param messagesPerMinute messages one IP may send per minute (token bucket, burst the same);
   *     more get 450 4.7.1
   * @param trackedAddresses how many client IPs are tracked (least recently seen dropped first)
   * @param connectionsPerAddress simultaneous connections from one IP; more get 421 4.7.0
   * @param maxConnections simultaneous connections in all
   * @param maxMessageBytes largest message accepted (552 5.3.4 above)
   * @param maxRecipients most recipients per message (452 4.5.3 above)
   */
  public record GatewayLimits(
      int messagesPerMinute,
      int trackedAddresses,
      int connectionsPerAddress,
      int maxConnections,
      long maxMessageBytes,
      int maxRecipients) {
    /**
     * 30 messages a minute and 5 connections per IP, 10,000 IPs tracked, 200 connections, 25 MiB,
     * 50 recipients.
     */
    public static GatewayLimits defaults() {
      return new GatewayLimits(30, 10_000, 5, 200, 25L << 20, 50);
    }
  }

  /**
   * The gateway listener for the ring's {@code domains}: no AUTH, never relays (the proxy refuses
   * every recipient outside {@code domains} with 550 5.7.1), the per-IP limits applied.
   */
  public static SmtpServerConfig gateway(
      Set<String> domains, InetAddress bind, int port, String hostName, GatewayLimits limits) {
    return SmtpServerConfig.gateway(domains)
        .withBindAddress(bind)
        .withPort(port)
        .withHostName(hostName)
        .withRateLimit(limits.messagesPerMinute(), limits.trackedAddresses())
        .withMaxConnectionsPerClient(limits.connectionsPerAddress())
        .withMaxConnections(limits.maxConnections())
        .withMaxMessageBytes(limits.maxMessageBytes())
        .withMaxRecipients(limits.maxRecipients())
        .withBackendTimeout(Duration.ofSeconds(30));
  }

  /** How the smarthost is reached, as the daemon's config file says. */
  public enum SmarthostTls {
    /** STARTTLS required, the server's certificate checked against the JVM's trust store. */
    STARTTLS,
    /** STARTTLS when offered, else clear text: only for a smarthost on loopback. */
    OPPORTUNISTIC,
    /** Clear text: only for a smarthost on loopback (tests, a local Postfix). */
    NONE
  }

  /**
   * The smarthost settings from the config file.
   *
   * @param host the smarthost's name; empty disables relaying (mail outside the ring is refused
   *     with 550 5.7.1 at RCPT)
   * @param port its submission port (587 usually)
   * @param tls how the connection is protected
   * @param user AUTH PLAIN user, or empty for no AUTH
   * @param password AUTH password (empty with no user)
   * @param heloName the name this node gives in EHLO and in bounces
   */
  public record Smarthost(
      String host,
      int port,
      SmarthostTls tls,
      Optional<String> user,
      Optional<String> password,
      String heloName) {
    public Smarthost {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(heloName, "heloName");
      if (!host.isEmpty() && (port <= 0 || port > 65535)) {
        throw new IllegalArgumentException("smarthost port out of range: " + port);
      }
      if (user.isPresent() != password.isPresent()) {
        throw new IllegalArgumentException("a smarthost user needs a password and the reverse");
      }
      if (tls != SmarthostTls.STARTTLS && user.isPresent() && !isLoopback(host)) {
        throw new IllegalArgumentException(
            "refusing to send the smarthost password in clear text to " + host);
      }
    }
  }

  /**
   * The relay for {@code smarthost}, queueing in {@code queueDirectory}; empty when no smarthost is
   * configured. Pass it to {@code SmtpProxy.start} with the submission listener.
   */
  public static Optional<RelayConfig> relay(Path queueDirectory, Smarthost smarthost) {
    if (smarthost.host().isEmpty()) {
      return Optional.empty();
    }
    RelayConfig.TlsPolicy policy =
        switch (smarthost.tls()) {
          case STARTTLS -> RelayConfig.TlsPolicy.REQUIRE_STARTTLS;
          case OPPORTUNISTIC -> RelayConfig.TlsPolicy.OPPORTUNISTIC;
          case NONE -> RelayConfig.TlsPolicy.NONE;
        };
    SSLContext context;
    try {
      context = SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no TLS in this JVM", e);
    }
    RelayConfig c =
        RelayConfig.of(queueDirectory, smarthost.host(), smarthost.port())
            .withTls(policy, context)
            .withHeloName(smarthost.heloName());
    if (smarthost.user().isPresent()) {
      c = c.withCredentials(smarthost.user().get(), smarthost.password().get());
    }
    return Optional.of(c);
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
