package org.epost.imap.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an IMAP server. Defaults: loopback, port 1143, limits that bound the memory of one
 * connection. Use {@link #defaults()} and the {@code with...} methods.
 *
 * @param bindAddress where to listen (127.0.0.1 by default; anything else exposes the mail store)
 * @param maxLineLength longest command line segment accepted, in bytes; longer lines get BAD
 * @param maxLiteralSize largest literal accepted (bounds APPEND), in bytes
 * @param literalMemoryThreshold literals larger than this are spooled to a temporary file
 * @param maxLiteralsPerCommand bound on literals in one command
 * @param maxNesting bound on parenthesis nesting in one command
 * @param maxPipelinedCommands commands read ahead before the server stops reading the socket
 * @param idleTimeout autologout timer (RFC 3501 requires at least 30 minutes)
 * @param backendTimeout how long a backend call may take before the command fails UNAVAILABLE
 * @param workerThreads threads that run commands (backend calls may block them)
 * @param spoolDirectory where large literals are spooled
 * @param structureCacheEntries parsed MIME structures kept in memory, across connections
 * @param limits what one local program may take: connections, memory before login, time, guesses
 */
public record ImapServerConfig(
    InetSocketAddress bindAddress,
    int maxLineLength,
    long maxLiteralSize,
    int literalMemoryThreshold,
    int maxLiteralsPerCommand,
    int maxNesting,
    int maxPipelinedCommands,
    Duration idleTimeout,
    Duration backendTimeout,
    int workerThreads,
    Path spoolDirectory,
    int structureCacheEntries,
    ConnectionLimits limits) {

  public ImapServerConfig {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(backendTimeout, "backendTimeout");
    Objects.requireNonNull(spoolDirectory, "spoolDirectory");
    if (maxLineLength < 1024
        || maxLiteralSize < 1
        || literalMemoryThreshold < 1
        || maxLiteralsPerCommand < 1
        || maxNesting < 1
        || maxPipelinedCommands < 1
        || workerThreads < 1
        || structureCacheEntries < 0) {
      throw new IllegalArgumentException("limits must be positive (line length at least 1024)");
    }
  }

  /** Loopback port 1143 with conservative limits. */
  public static ImapServerConfig defaults() {
    return new ImapServerConfig(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 1143),
        64 * 1024,
        64L * 1024 * 1024,
        64 * 1024,
        64,
        32,
        32,
        Duration.ofMinutes(30),
        Duration.ofSeconds(60),
        Math.max(4, Runtime.getRuntime().availableProcessors() * 4),
        Path.of(System.getProperty("java.io.tmpdir")),
        8192,
        ConnectionLimits.defaults());
  }

  public ImapServerConfig withWorkerThreads(int threads) {
    return new ImapServerConfig(
        bindAddress,
        maxLineLength,
        maxLiteralSize,
        literalMemoryThreshold,
        maxLiteralsPerCommand,
        maxNesting,
        maxPipelinedCommands,
        idleTimeout,
        backendTimeout,
        threads,
        spoolDirectory,
        structureCacheEntries,
        limits);
  }

  public ImapServerConfig withConnectionLimits(ConnectionLimits newLimits) {
    return new ImapServerConfig(
        bindAddress,
        maxLineLength,
        maxLiteralSize,
        literalMemoryThreshold,
        maxLiteralsPerCommand,
        maxNesting,
        maxPipelinedCommands,
        idleTimeout,
        backendTimeout,
        workerThreads,
        spoolDirectory,
        structureCacheEntries,
        newLimits);
  }

  public ImapServerConfig withBindAddress(InetSocketAddress address) {
    return new ImapServerConfig(
        address,
        maxLineLength,
        maxLiteralSize,
        literalMemoryThreshold,
        maxLiteralsPerCommand,
        maxNesting,
        maxPipelinedCommands,
        idleTimeout,
        backendTimeout,
        workerThreads,
        spoolDirectory,
        structureCacheEntries,
        limits);
  }

  public ImapServerConfig withPort(int port) {
    return withBindAddress(new InetSocketAddress(bindAddress.getAddress(), port));
  }

  public ImapServerConfig withLimits(int lineLength, long literalSize, int memoryThreshold) {
    return new ImapServerConfig(
        bindAddress,
        lineLength,
        literalSize,
        memoryThreshold,
        maxLiteralsPerCommand,
        maxNesting,
        maxPipelinedCommands,
        idleTimeout,
        backendTimeout,
        workerThreads,
        spoolDirectory,
        structureCacheEntries,
        limits);
  }

  public ImapServerConfig withTimeouts(Duration idle, Duration backend) {
    return new ImapServerConfig(
        bindAddress,
        maxLineLength,
        maxLiteralSize,
        literalMemoryThreshold,
        maxLiteralsPerCommand,
        maxNesting,
        maxPipelinedCommands,
        idle,
        backend,
        workerThreads,
        spoolDirectory,
        structureCacheEntries,
        limits);
  }
}
