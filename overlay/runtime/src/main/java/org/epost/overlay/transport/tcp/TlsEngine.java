package org.epost.overlay.transport.tcp;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.PreferHeapByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import javax.net.ssl.SSLException;

/**
 * Which TLS implementation runs a transport's TLS 1.3 (ADR 0065, ADR 0090). Both present the same
 * P-256 certificates and check peers with the same {@link PeerTrust}; they interoperate on the
 * wire, so nodes on different engines form one ring.
 */
public enum TlsEngine {
  /** {@link #OPENSSL} when its native library loads on this machine, otherwise {@link #JDK}. */
  AUTO,
  /**
   * Netty's OpenSSL engine on netty-tcnative's statically linked BoringSSL (ADR 0090), working on
   * pooled direct buffers without a copy into the JVM heap. Needs the bundled native library for
   * this OS/CPU (Linux and macOS on x86_64 and aarch64, Windows on x86_64).
   */
  OPENSSL,
  /** The JDK's own TLS (SunJSSE): always available, slower (ADR 0064). */
  JDK;

  /**
   * Heap buffers for the JDK engine: its AES-GCM only reaches the CLMUL/AES-NI intrinsics on heap
   * arrays; with direct buffers its GHASH ran as plain Java (profiled on JDK 17: over half the I/O
   * thread's time, ADR 0064). Socket reads then cost one copy from the JDK's temporary direct
   * buffer, far cheaper than that. Pooled, shared by all transports.
   */
  private static final ByteBufAllocator HEAP =
      new PreferHeapByteBufAllocator(new AdaptiveByteBufAllocator(false));

  /**
   * Pooled direct buffers for BoringSSL, which seals and opens records in native memory (ADR 0090).
   */
  private static final ByteBufAllocator DIRECT = new AdaptiveByteBufAllocator(true);

  /**
   * The engine this choice runs on this machine: {@link #AUTO} resolves to {@link #OPENSSL} or
   * {@link #JDK}; the others resolve to themselves.
   *
   * @throws IllegalStateException if {@link #OPENSSL} is asked for and its native library does not
   *     load here (or its BoringSSL lacks TLS 1.3)
   */
  public TlsEngine resolve() {
    return switch (this) {
      case AUTO -> openSslUnavailableReason() == null ? OPENSSL : JDK;
      case OPENSSL -> {
        if (openSslUnavailableReason() != null) {
          throw new IllegalStateException(
              "the OpenSSL TLS engine is not available on this machine ("
                  + openSslUnavailableReason()
                  + "); use TlsEngine.AUTO or JDK");
        }
        yield OPENSSL;
      }
      case JDK -> JDK;
    };
  }

  /** Why the OpenSSL engine cannot run here, or null if it can. Loads the native library once. */
  static String openSslUnavailableReason() {
    if (!OpenSsl.isAvailable()) {
      return "netty-tcnative's BoringSSL did not load for "
          + System.getProperty("os.name")
          + "/"
          + System.getProperty("os.arch")
          + ": "
          + OpenSsl.unavailabilityCause();
    }
    return SslProvider.isTlsv13Supported(SslProvider.OPENSSL)
        ? null
        : "the loaded OpenSSL library has no TLS 1.3";
  }

  /** A name for log lines: the library behind the resolved engine. */
  String description() {
    return resolve() == OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK (SunJSSE)";
  }

  /**
   * The buffers channels on this engine use: direct for BoringSSL, heap for the JDK (ADR 0064,
   * 0090).
   */
  ByteBufAllocator allocator() {
    return resolve() == OPENSSL ? DIRECT : HEAP;
  }

  /**
   * The TLS 1.3 server context of a node: client authentication required, peers checked by {@code
   * trust}.
   */
  SslContext serverContext(NodeCredentials credentials, PeerTrust trust) throws SSLException {
    return provider(
            SslContextBuilder.forServer(credentials.privateKey(), credentials.certificate()))
        .protocols("TLSv1.3")
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(trust)
        .build();
  }

  /**
   * The TLS 1.3 client context of a node: presents its certificate, checks the server with {@code
   * trust}.
   */
  SslContext clientContext(NodeCredentials credentials, PeerTrust trust) throws SSLException {
    return provider(
            SslContextBuilder.forClient()
                .keyManager(credentials.privateKey(), credentials.certificate()))
        .protocols("TLSv1.3")
        .trustManager(trust)
        .endpointIdentificationAlgorithm(null)
        .build();
  }

  private SslContextBuilder provider(SslContextBuilder b) {
    return b.sslProvider(resolve() == OPENSSL ? SslProvider.OPENSSL : SslProvider.JDK);
  }
}
