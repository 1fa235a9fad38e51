package org.epost.overlay.transport.tcp;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.Provider;
import javax.net.ssl.SSLException;

/**
 * Which TLS implementation runs a transport's TLS 1.3 (ADR 0065). Both present the same P-256
 * certificates and check peers with the same {@link PeerTrust}; they interoperate on the wire, so
 * nodes on different engines form one ring.
 */
public enum TlsEngine {
  /** {@link #CONSCRYPT} when its native library loads on this machine, otherwise {@link #JDK}. */
  AUTO,
  /**
   * Conscrypt (BoringSSL through JNI) as the JSSE provider of Netty's JDK-style context: several
   * times the JDK 17 engine's AES-GCM throughput. Needs the bundled native library for this
   * OS/CPU (Linux, macOS, Windows on x86_64).
   */
  CONSCRYPT,
  /** The JDK's own TLS (SunJSSE): always available, slower (ADR 0064). */
  JDK;

  /**
   * The engine this choice runs on this machine: {@link #AUTO} resolves to {@link #CONSCRYPT} or
   * {@link #JDK}; the others resolve to themselves.
   *
   * @throws IllegalStateException if {@link #CONSCRYPT} is asked for and its native library does
   *     not load here
   */
  public TlsEngine resolve() {
    return switch (this) {
      case AUTO -> ConscryptHolder.PROVIDER != null ? CONSCRYPT : JDK;
      case CONSCRYPT -> {
        if (ConscryptHolder.PROVIDER == null) {
          throw new IllegalStateException("the Conscrypt TLS engine is not available on this machine ("
              + ConscryptHolder.UNAVAILABLE_REASON + "); use TlsEngine.AUTO or JDK");
        }
        yield CONSCRYPT;
      }
      case JDK -> JDK;
    };
  }

  /** Why Conscrypt cannot load here, or null if it can. */
  static String conscryptUnavailableReason() {
    return ConscryptHolder.PROVIDER == null ? ConscryptHolder.UNAVAILABLE_REASON : null;
  }

  /** The TLS 1.3 server context of a node: client authentication required, peers checked by {@code trust}. */
  SslContext serverContext(NodeCredentials credentials, PeerTrust trust) throws SSLException {
    return provider(SslContextBuilder.forServer(credentials.privateKey(), credentials.certificate()))
        .protocols("TLSv1.3").clientAuth(ClientAuth.REQUIRE).trustManager(trust).build();
  }

  /** The TLS 1.3 client context of a node: presents its certificate, checks the server with {@code trust}. */
  SslContext clientContext(NodeCredentials credentials, PeerTrust trust) throws SSLException {
    return provider(SslContextBuilder.forClient().keyManager(credentials.privateKey(), credentials.certificate()))
        .protocols("TLSv1.3").trustManager(trust).endpointIdentificationAlgorithm(null).build();
  }

  private SslContextBuilder provider(SslContextBuilder b) {
    b.sslProvider(SslProvider.JDK);
    return resolve() == CONSCRYPT ? b.sslContextProvider(ConscryptHolder.PROVIDER) : b;
  }

  /** Loads Conscrypt's native library once, on first use; never throws. */
  private static final class ConscryptHolder {
    static final Provider PROVIDER;
    static final String UNAVAILABLE_REASON;

    static {
      Provider p = null;
      String reason = null;
      try {
        org.conscrypt.Conscrypt.checkAvailability(); // throws if the native library does not load
        p = org.conscrypt.Conscrypt.newProvider();
      } catch (LinkageError | RuntimeException e) {
        reason = "Conscrypt's native library did not load for " + System.getProperty("os.name") + "/"
            + System.getProperty("os.arch") + ": " + e;
      }
      PROVIDER = p;
      UNAVAILABLE_REASON = reason;
    }
  }
}
