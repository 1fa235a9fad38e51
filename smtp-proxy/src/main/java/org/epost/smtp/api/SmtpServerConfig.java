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
 * parameters; 1000 commands between two accepted messages; 100 connections, 20 per client address
 * on submission and 10 on the gateway; 5 minutes of idle time and a 5-minute deadline per command
 * line (RFC 5321 4.5.3.2.7); DATA within 10 minutes and, after 30 s, at 1 KiB/s at least; 30 s for
 * the backend; AUTH delays from 250 ms doubling to 8 s, lock-out of non-loopback clients after 10
 * failures of an account for 15 minutes.
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
  private Duration commandTimeout = Duration.ofMinutes(5);
  private Duration dataTimeout = Duration.ofMinutes(10);
  private Duration dataRateGrace = Duration.ofSeconds(30);
  private long minDataBytesPerSecond = 1024;
  private int maxConnectionsPerClient;
  private Duration authFailureDelay = Duration.ofMillis(250);
  private Duration maxAuthFailureDelay = Duration.ofSeconds(8);
  private int authLockoutFailures = 10;
  private Duration authLockout = Duration.ofMinutes(15);

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
    // Submission: loopback clients share one address, and a desktop mail client opens a handful of
    // connections. Gateway: one Internet host needs few parallel connections to one domain, and a
    // single host must not be able to take every slot (docs/adr/0046).
    this.maxConnectionsPerClient = mode == Mode.SUBMISSION ? 20 : 10;
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
    c.commandTimeout = commandTimeout;
    c.dataTimeout = dataTimeout;
    c.dataRateGrace = dataRateGrace;
    c.minDataBytesPerSecond = minDataBytesPerSecond;
    c.maxConnectionsPerClient = maxConnectionsPerClient;
    c.authFailureDelay = authFailureDelay;
    c.maxAuthFailureDelay = maxAuthFailureDelay;
    c.authLockoutFailures = authLockoutFailures;
    c.authLockout = authLockout;
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

  /**
   * Deadline for one command line (or AUTH response line), counted from when the server starts
   * waiting for it; bytes trickling in do not extend it (RFC 5321 4.5.3.2.7 asks for at least 5
   * minutes). 421 4.4.2 and close when it passes.
   */
  public SmtpServerConfig withCommandTimeout(Duration d) {
    SmtpServerConfig c = copy();
    c.commandTimeout = requirePositive(d);
    return c;
  }

  /**
   * Deadline for one DATA body or BDAT chunk, and the minimum average rate it must keep after a
   * grace period (at least 1 s); a transfer that breaks either gets 421 4.4.2 and the connection is
   * closed. {@code minBytesPerSecond} 0 turns the rate rule off.
   */
  public SmtpServerConfig withDataLimits(Duration timeout, Duration grace, long minBytesPerSecond) {
    SmtpServerConfig c = copy();
    c.dataTimeout = requirePositive(timeout);
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    c.dataRateGrace = grace;
    c.minDataBytesPerSecond = Math.max(0, minBytesPerSecond);
    return c;
  }

  /**
   * Simultaneous connections from one client address; one more gets 421 4.7.0 and is closed.
   * Defaults: 20 on submission, 10 on the gateway.
   */
  public SmtpServerConfig withMaxConnectionsPerClient(int n) {
    SmtpServerConfig c = copy();
    c.maxConnectionsPerClient = (int) positive(n, "maxConnectionsPerClient");
    return c;
  }

  /**
   * AUTH throttling (docs/adr/0047): after {@code n} recent failures of a client address or of an
   * account, the next attempt waits {@code firstDelay * 2^(n-1)}, at most {@code maxDelay}; after
   * {@code lockoutFailures} failures of one account, clients that are not on loopback are refused
   * for that account for {@code lockout}. Loopback clients are never locked out, only delayed.
   */
  public SmtpServerConfig withAuthThrottle(
      Duration firstDelay, Duration maxDelay, int lockoutFailures, Duration lockout) {
    SmtpServerConfig c = copy();
    c.authFailureDelay = firstDelay;
    c.maxAuthFailureDelay = maxDelay;
    c.authLockoutFailures = (int) positive(lockoutFailures, "lockoutFailures");
    c.authLockout = requirePositive(lockout);
    return c;
  }

  public Duration commandTimeout() {
    return commandTimeout;
  }

  public Duration dataTimeout() {
    return dataTimeout;
  }

  public Duration dataRateGrace() {
    return dataRateGrace;
  }

  public long minDataBytesPerSecond() {
    return minDataBytesPerSecond;
  }

  public int maxConnectionsPerClient() {
    return maxConnectionsPerClient;
  }

  public Duration authFailureDelay() {
    return authFailureDelay;
  }

  public Duration maxAuthFailureDelay() {
    return maxAuthFailureDelay;
  }

  public int authLockoutFailures() {
    return authLockoutFailures;
  }

  public Duration authLockout() {
    return authLockout;
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
