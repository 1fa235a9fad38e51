package org.epost.overlay.transport.tcp;

import org.epost.crypto.cert.CertificateVerifier;

/**
 * Bounds and timeouts of a {@link TcpTransport}. Every input-driven resource has a bound here.
 *
 * @param maxConnections connections a node keeps besides inbound ones still handshaking: inbound
 *     connections that finished TLS and hello, plus its own dials; an inbound connection arriving
 *     beyond it is closed at once, a dial beyond it evicts the least recently used identified
 *     connection
 * @param maxQueuedBytesPerPeer bytes waiting to be written to one peer; a frame that would exceed
 *     it is dropped and the node gets an {@code unreachable} hint (back-pressure, never growth)
 * @param idleCloseMillis a connection with no traffic either way for this long is closed
 * @param handshakeTimeoutMillis time a new connection has to finish TLS and say hello
 * @param frameTimeoutMillis time a frame has to arrive completely once its first byte came (stops
 *     one-byte-per-second senders)
 * @param connectTimeoutMillis TCP connect timeout
 * @param ringAuthority null: node ids are derived from keys (ADR 0060); otherwise the ring's
 *     authority: every peer must present a node certificate this verifier accepts (signed by the
 *     authority, valid now, not revoked; ADR 0063), and this node's own credentials must carry one
 *     ({@link NodeCredentials#withRingCertificate}). Install newer revocation lists with {@link
 *     CertificateVerifier#update}; they apply to the next handshake.
 * @param tlsEngine which TLS implementation runs the handshakes and records (ADR 0065); {@link
 *     TlsEngine#AUTO} by default
 * @param maxHandshaking inbound connections that have not finished TLS and hello, at once; they
 *     count against this budget only (ADR 0097). When it is full a newcomer replaces the oldest if
 *     that one has had a second ({@link HandshakeAdmission#GRACE_NANOS}), else it is refused
 * @param maxHandshakingPerAddress of those, from one IPv4 address or IPv6 /64; more are refused
 */
public record TcpTransportConfig(
    int maxConnections,
    long maxQueuedBytesPerPeer,
    long idleCloseMillis,
    long handshakeTimeoutMillis,
    long frameTimeoutMillis,
    long connectTimeoutMillis,
    CertificateVerifier ringAuthority,
    TlsEngine tlsEngine,
    int maxHandshaking,
    int maxHandshakingPerAddress) {

  public TcpTransportConfig {
    java.util.Objects.requireNonNull(tlsEngine, "tlsEngine");
    if (maxConnections < 1
        || maxQueuedBytesPerPeer < Frames.MAX_WIRE_BYTES
        || idleCloseMillis <= 0
        || handshakeTimeoutMillis <= 0
        || frameTimeoutMillis <= 0
        || connectTimeoutMillis <= 0
        || maxHandshaking < 1
        || maxHandshakingPerAddress < 1) {
      throw new IllegalArgumentException(
          "bounds must be positive and a peer queue must hold one frame");
    }
  }

  /**
   * 256 connections, 4 MiB per peer, idle close 120 s, handshake 5 s, frame 10 s, connect 5 s, 64
   * inbound connections handshaking at once, 8 of them from one address (ADR 0097).
   */
  public static TcpTransportConfig defaults() {
    return new TcpTransportConfig(
        256, 4L << 20, 120_000, 5_000, 10_000, 5_000, null, TlsEngine.AUTO, 64, 8);
  }

  /** A copy with other handshake and frame timeouts. */
  public TcpTransportConfig withTimeouts(long handshakeMillis, long frameMillis) {
    return new TcpTransportConfig(
        maxConnections,
        maxQueuedBytesPerPeer,
        idleCloseMillis,
        handshakeMillis,
        frameMillis,
        connectTimeoutMillis,
        ringAuthority,
        tlsEngine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /** A copy with another connection cap. */
  public TcpTransportConfig withMaxConnections(int max) {
    return new TcpTransportConfig(
        max,
        maxQueuedBytesPerPeer,
        idleCloseMillis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        ringAuthority,
        tlsEngine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /** A copy with another per-peer queue bound. */
  public TcpTransportConfig withMaxQueuedBytesPerPeer(long max) {
    return new TcpTransportConfig(
        maxConnections,
        max,
        idleCloseMillis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        ringAuthority,
        tlsEngine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /**
   * A copy in ring-authority mode: ids come from node certificates {@code verifier} accepts (ADR
   * 0063).
   */
  public TcpTransportConfig withRingAuthority(CertificateVerifier verifier) {
    return new TcpTransportConfig(
        maxConnections,
        maxQueuedBytesPerPeer,
        idleCloseMillis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        java.util.Objects.requireNonNull(verifier, "verifier"),
        tlsEngine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /** A copy with another idle close time. */
  public TcpTransportConfig withIdleCloseMillis(long millis) {
    return new TcpTransportConfig(
        maxConnections,
        maxQueuedBytesPerPeer,
        millis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        ringAuthority,
        tlsEngine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /** A copy running on another TLS engine (ADR 0065). */
  public TcpTransportConfig withTlsEngine(TlsEngine engine) {
    return new TcpTransportConfig(
        maxConnections,
        maxQueuedBytesPerPeer,
        idleCloseMillis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        ringAuthority,
        engine,
        maxHandshaking,
        maxHandshakingPerAddress);
  }

  /**
   * A copy with another budget for inbound connections still handshaking: {@code total} at once,
   * {@code perAddress} from one address (ADR 0097).
   */
  public TcpTransportConfig withHandshakeBudget(int total, int perAddress) {
    return new TcpTransportConfig(
        maxConnections,
        maxQueuedBytesPerPeer,
        idleCloseMillis,
        handshakeTimeoutMillis,
        frameTimeoutMillis,
        connectTimeoutMillis,
        ringAuthority,
        tlsEngine,
        total,
        perAddress);
  }
}
