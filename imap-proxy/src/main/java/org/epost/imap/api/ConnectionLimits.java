package org.epost.imap.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What one local program may take from the server (ADR 0037): connections, memory before login,
 * time to send a command, and password guesses. Defaults in {@link #defaults()}.
 *
 * @param maxConnections connections open at once, all clients together; more are answered {@code *
 *     BYE} and closed (the server also lowers this to half the free file descriptors at start)
 * @param maxConnectionsPerAddress connections open at once from one client IP address
 * @param preLoginCommandBytes bytes one command may hold before login (line segments and literals
 *     together); more is answered {@code * BYE} and the connection closed
 * @param preLoginBytesTotal bytes all unauthenticated connections together may hold in unfinished
 *     commands; a connection that would pass it is answered {@code * BYE} and closed
 * @param loginTimeout how long a connection may stay unauthenticated, whatever it sends
 * @param commandTimeout how long one command may take to arrive once its first byte is in, plus one
 *     second per {@code literalBytesPerSecond} of literal data it announces
 * @param literalBytesPerSecond the slowest literal upload rate the command deadline allows for
 * @param authFailureDelay the delay before answering the first failed LOGIN or AUTHENTICATE; it
 *     doubles with each further failure on the connection or from the client's address
 * @param maxAuthFailureDelay the longest such delay
 * @param maxAuthFailures failed logins after which the connection is closed
 * @param authFailureMemory how long an address's failures count against it after its last one
 */
public record ConnectionLimits(
    int maxConnections,
    int maxConnectionsPerAddress,
    int preLoginCommandBytes,
    long preLoginBytesTotal,
    Duration loginTimeout,
    Duration commandTimeout,
    long literalBytesPerSecond,
    Duration authFailureDelay,
    Duration maxAuthFailureDelay,
    int maxAuthFailures,
    Duration authFailureMemory) {

  public ConnectionLimits {
    Objects.requireNonNull(loginTimeout, "loginTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    Objects.requireNonNull(authFailureDelay, "authFailureDelay");
    Objects.requireNonNull(maxAuthFailureDelay, "maxAuthFailureDelay");
    Objects.requireNonNull(authFailureMemory, "authFailureMemory");
    if (maxConnections < 1
        || maxConnectionsPerAddress < 1
        || preLoginCommandBytes < 1024
        || preLoginBytesTotal < preLoginCommandBytes
        || literalBytesPerSecond < 1
        || maxAuthFailures < 1
        || loginTimeout.isNegative()
        || loginTimeout.isZero()
        || commandTimeout.isNegative()
        || commandTimeout.isZero()
        || authFailureDelay.isNegative()
        || maxAuthFailureDelay.compareTo(authFailureDelay) < 0) {
      throw new IllegalArgumentException("connection limits must be positive");
    }
  }

  /**
   * 2,048 connections, 1,024 per address; 16 KiB per command and 8 MiB in all before login; 60 s to
   * log in and 60 s per command (plus 1 s per 64 KiB of literal); failed logins answered after 250
   * ms doubling to 8 s, the connection closed after 3.
   */
  public static ConnectionLimits defaults() {
    return new ConnectionLimits(
        2048,
        1024,
        16 * 1024,
        8L * 1024 * 1024,
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        64 * 1024,
        Duration.ofMillis(250),
        Duration.ofSeconds(8),
        3,
        Duration.ofMinutes(5));
  }

  public ConnectionLimits withConnections(int total, int perAddress) {
    return new ConnectionLimits(
        total,
        perAddress,
        preLoginCommandBytes,
        preLoginBytesTotal,
        loginTimeout,
        commandTimeout,
        literalBytesPerSecond,
        authFailureDelay,
        maxAuthFailureDelay,
        maxAuthFailures,
        authFailureMemory);
  }

  public ConnectionLimits withPreLoginBytes(int perCommand, long total) {
    return new ConnectionLimits(
        maxConnections,
        maxConnectionsPerAddress,
        perCommand,
        total,
        loginTimeout,
        commandTimeout,
        literalBytesPerSecond,
        authFailureDelay,
        maxAuthFailureDelay,
        maxAuthFailures,
        authFailureMemory);
  }

  public ConnectionLimits withTimeouts(Duration login, Duration command) {
    return new ConnectionLimits(
        maxConnections,
        maxConnectionsPerAddress,
        preLoginCommandBytes,
        preLoginBytesTotal,
        login,
        command,
        literalBytesPerSecond,
        authFailureDelay,
        maxAuthFailureDelay,
        maxAuthFailures,
        authFailureMemory);
  }

  public ConnectionLimits withAuthFailures(Duration delay, Duration maxDelay, int maxFailures) {
    return new ConnectionLimits(
        maxConnections,
        maxConnectionsPerAddress,
        preLoginCommandBytes,
        preLoginBytesTotal,
        loginTimeout,
        commandTimeout,
        literalBytesPerSecond,
        delay,
        maxDelay,
        maxFailures,
        authFailureMemory);
  }
}
