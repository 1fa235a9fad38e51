package org.epost.smtp.api;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Everything a listener needs, immutable. Build with {@link #submission(Set, PasswordVerifier)} or
 * {@link #gateway(Set)} and adjust the defaults with the {@code with...} methods.
 *
 * <p>Defaults: bound to the loopback address; port 0 (ephemeral); 25 MiB messages; 100 recipients;
 * 512-byte command lines (RFC 5321 4.5.3.1.4) raised to 2048 for SMTPUTF8 addresses and ESMTP
 * parameters; 1000 commands between two accepted messages; 100 connections; 5 minutes of idle time
 * per command (RFC 5321 4.5.3.2.7); 30 s for the backend.
 */
public final class SmtpServerConfig {

  /** What a listener is for. */
  public enum Mode {
    /** Mail clients of local users: AUTH required, mail to other domains is relayed. */
    SUBMISSION,
    /** Mail from the Internet for the ring's domain: no AUTH, never relays. */
    GATEWAY
  }

  private final Mode mode;
  private final Set<String> localDomains;
  private final Optional<PasswordVerifier> passwords;
  private InetAddress bindAddress = InetAddress.getLoopbackAddress();
  private int port;
  private String hostName = "localhost";
  private long maxMessageBytes = 25L * 1024 * 1024;
  private int maxRecipients = 100;
  private int maxLineBytes = 2048;
  private int maxCommandsPerMessage = 1000;
  private int maxErrorsPerConnection = 20;
  private int maxConnections = 100;
  private Duration idleTimeout = Duration.ofMinutes(5);
  private Duration backendTimeout = Duration.ofSeconds(30);
  private Optional<SSLContext> tls = Optional.empty();
  private int messagesPerMinutePerClient = 60;
  private int trackedClients = 10_000;
  private Optional<Path> spoolDirectory = Optional.empty();

  private SmtpServerConfig(
      Mode mode, Set<String> localDomains, Optional<PasswordVerifier> passwords) {
    this.mode = mode;
    if (localDomains.isEmpty()) {
      throw new IllegalArgumentException("at least one local domain is needed");
    }
    this.localDomains =
        localDomains.stream()
            .map(d -> d.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    this.passwords = passwords;
  }

  /** A submission listener for the ring's domains; every transaction needs AUTH. */
  public static SmtpServerConfig submission(Set<String> localDomains, PasswordVerifier passwords) {
    return new SmtpServerConfig(
        Mode.SUBMISSION, localDomains, Optional.of(Objects.requireNonNull(passwords)));
  }

  /** An inbound gateway for the ring's domains: accepts only their recipients, no AUTH. */
  public static SmtpServerConfig gateway(Set<String> localDomains) {
    return new SmtpServerConfig(Mode.GATEWAY, localDomains, Optional.empty());
  }

  private SmtpServerConfig copy() {
    SmtpServerConfig c = new SmtpServerConfig(mode, localDomains, passwords);
    c.bindAddress = bindAddress;
    c.port = port;
    c.hostName = hostName;
    c.maxMessageBytes = maxMessageBytes;
    c.maxRecipients = maxRecipients;
    c.maxLineBytes = maxLineBytes;
    c.maxCommandsPerMessage = maxCommandsPerMessage;
    c.maxErrorsPerConnection = maxErrorsPerConnection;
    c.maxConnections = maxConnections;
    c.idleTimeout = idleTimeout;
    c.backendTimeout = backendTimeout;
    c.tls = tls;
    c.messagesPerMinutePerClient = messagesPerMinutePerClient;
    c.trackedClients = trackedClients;
    c.spoolDirectory = spoolDirectory;
    return c;
  }

  /** Listen on another address; a non-loopback address is meant for gateway mode. */
  public SmtpServerConfig withBindAddress(InetAddress address) {
    SmtpServerConfig c = copy();
    c.bindAddress = Objects.requireNonNull(address);
    return c;
  }

  /** Listen on this port; 0 picks a free one. */
  public SmtpServerConfig withPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    SmtpServerConfig c = copy();
    c.port = port;
    return c;
  }

  /** The name in the greeting, the EHLO reply and Received headers. */
  public SmtpServerConfig withHostName(String name) {
    SmtpServerConfig c = copy();
    c.hostName = requireToken(name);
    return c;
  }

  /** Largest message accepted, announced by SIZE and enforced with 552 5.3.4. */
  public SmtpServerConfig withMaxMessageBytes(long bytes) {
    SmtpServerConfig c = copy();
    c.maxMessageBytes = positive(bytes, "maxMessageBytes");
    return c;
  }

  /** Most RCPT TO accepted per transaction; more get 452 4.5.3. */
  public SmtpServerConfig withMaxRecipients(int n) {
    SmtpServerConfig c = copy();
    c.maxRecipients = (int) positive(n, "maxRecipients");
    return c;
  }

  /** Longest command line; longer lines get 500 5.5.2 and are discarded without buffering. */
  public SmtpServerConfig withMaxLineBytes(int n) {
    SmtpServerConfig c = copy();
    c.maxLineBytes = (int) Math.max(512, n);
    return c;
  }

  /**
   * Commands allowed since the connection opened or since its last accepted message; one more gets
   * 421 4.7.0 and the connection is closed. Bounds idle chatter (NOOP floods, endless RCPT/RSET)
   * while a client may send any number of messages on one connection.
   */
  public SmtpServerConfig withMaxCommandsPerMessage(int n) {
    SmtpServerConfig c = copy();
    c.maxCommandsPerMessage = (int) positive(n, "maxCommandsPerMessage");
    return c;
  }

  /** Simultaneous connections; one more gets 421 4.3.2 and is closed. */
  public SmtpServerConfig withMaxConnections(int n) {
    SmtpServerConfig c = copy();
    c.maxConnections = (int) positive(n, "maxConnections");
    return c;
  }

  /** How long a connection may stay silent before 421 4.4.2 and close. */
  public SmtpServerConfig withIdleTimeout(Duration d) {
    SmtpServerConfig c = copy();
    c.idleTimeout = requirePositive(d);
    return c;
  }

  /** How long one backend call may take before the client gets 451 4.4.3. */
  public SmtpServerConfig withBackendTimeout(Duration d) {
    SmtpServerConfig c = copy();
    c.backendTimeout = requirePositive(d);
    return c;
  }

  /** Offer STARTTLS with this context's server certificate. */
  public SmtpServerConfig withTls(SSLContext context) {
    SmtpServerConfig c = copy();
    c.tls = Optional.of(context);
    return c;
  }

  /** Gateway mode: messages per client IP per minute, and how many client IPs are tracked. */
  public SmtpServerConfig withRateLimit(int messagesPerMinute, int trackedClientAddresses) {
    SmtpServerConfig c = copy();
    c.messagesPerMinutePerClient = (int) positive(messagesPerMinute, "messagesPerMinute");
    c.trackedClients = (int) positive(trackedClientAddresses, "trackedClientAddresses");
    return c;
  }

  /**
   * Where messages larger than 256 KiB are spooled while being received (default: java.io.tmpdir).
   */
  public SmtpServerConfig withSpoolDirectory(Path dir) {
    SmtpServerConfig c = copy();
    c.spoolDirectory = Optional.of(dir);
    return c;
  }

  public Mode mode() {
    return mode;
  }

  public Set<String> localDomains() {
    return localDomains;
  }

  public Optional<PasswordVerifier> passwords() {
    return passwords;
  }

  public InetAddress bindAddress() {
    return bindAddress;
  }

  public int port() {
    return port;
  }

  public String hostName() {
    return hostName;
  }

  public long maxMessageBytes() {
    return maxMessageBytes;
  }

  public int maxRecipients() {
    return maxRecipients;
  }

  public int maxLineBytes() {
    return maxLineBytes;
  }

  public int maxCommandsPerMessage() {
    return maxCommandsPerMessage;
  }

  public int maxErrorsPerConnection() {
    return maxErrorsPerConnection;
  }

  public int maxConnections() {
    return maxConnections;
  }

  public Duration idleTimeout() {
    return idleTimeout;
  }

  public Duration backendTimeout() {
    return backendTimeout;
  }

  public Optional<SSLContext> tls() {
    return tls;
  }

  public int messagesPerMinutePerClient() {
    return messagesPerMinutePerClient;
  }

  public int trackedClients() {
    return trackedClients;
  }

  public Optional<Path> spoolDirectory() {
    return spoolDirectory;
  }

  /** True if {@code domain} is one of the ring's domains (case-insensitive). */
  public boolean isLocalDomain(String domain) {
    return localDomains.contains(domain.toLowerCase(Locale.ROOT));
  }

  private static long positive(long v, String what) {
    if (v <= 0) {
      throw new IllegalArgumentException(what + " must be positive, was " + v);
    }
    return v;
  }

  private static Duration requirePositive(Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("duration must be positive: " + d);
    }
    return d;
  }

  private static String requireToken(String s) {
    if (s == null || s.isEmpty() || !s.matches("[A-Za-z0-9.\\-\\[\\]:]+")) {
      throw new IllegalArgumentException("not a host name: " + s);
    }
    return s;
  }
}
