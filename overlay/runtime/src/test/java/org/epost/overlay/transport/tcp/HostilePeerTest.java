package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Id;
import org.epost.overlay.transport.TransportContractTest.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input against a running TCP transport: each attack gets one clear log line, a counter and
 * a closed connection, and afterwards an honest peer's frame still arrives.
 */
class HostilePeerTest {
  /**
   * Held strongly: JUL keeps loggers only weakly, and a collected logger would lose the handler.
   */
  private static final Logger TRANSPORT_LOG = Logger.getLogger("org.epost.overlay.transport");

  private final TcpFixture fixture =
      new TcpFixture(TcpTransportConfig.defaults().withTimeouts(5_000, 2_000));
  private final List<String> warnings = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          synchronized (warnings) {
            warnings.add(new java.util.logging.SimpleFormatter().formatMessage(r));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Endpoint victim;
  private TcpTransport victimTransport;

  @BeforeEach
  void start() throws Exception {
    TRANSPORT_LOG.addHandler(capture);
    victim = fixture.endpoint();
    victimTransport = (TcpTransport) victim.transport;
  }

  @AfterEach
  void stop() {
    TRANSPORT_LOG.removeHandler(capture);
    fixture.close();
  }

  @Test
  void garbageBytesAreRefusedInTheHandshake() throws Exception {
    try (Socket s = raw()) {
      byte[] junk = new byte[2000];
      TcpFixture.RANDOM.nextBytes(junk);
      junk[0] = 0x16; // looks like a TLS record at first
      s.getOutputStream().write(junk);
      assertClosedByPeer(s);
    }
    awaitCount(() -> victimTransport.statistics().handshakeFailures() == 1);
    assertLogged("TLS");
    assertStillServes();
  }

  @Test
  void aFrameHeaderPromisingTwoGigabytesClosesTheConnection() throws Exception {
    try (SSLSocket s = authenticated(NodeIdentity.generate(TcpFixture.RANDOM), null)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(0x7FFF_FFFF);
      out.write(new byte[] {1, 2, 0, 0});
      out.flush();
      assertClosedByPeer(s);
    }
    awaitCount(() -> victimTransport.statistics().rejectedFrames() == 1);
    assertLogged("frame header promises 2147483647 bytes");
    assertStillServes();
  }

  @Test
  void oneBytePerSecondIsCutOffByTheHandshakeTimeout() throws Exception {
    try (Socket s = raw()) {
      OutputStream out = s.getOutputStream();
      long end = System.nanoTime() + 12_000_000_000L;
      boolean closed = false;
      byte[] recordHeader = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc};
      for (int i = 0; !closed && System.nanoTime() < end; i++) {
        try {
          out.write(recordHeader[i % recordHeader.length]);
          out.flush();
          Thread.sleep(1000);
        } catch (IOException e) {
          closed = true;
        }
      }
      if (!closed) {
        assertClosedByPeer(s);
      }
    }
    awaitCount(() -> victimTransport.statistics().handshakeFailures() == 1);
    assertLogged("timed out after 5000");
    assertStillServes();
  }

  @Test
  void aSlowFrameAfterTheHandshakeIsCutOffByTheFrameTimeout() throws Exception {
    try (SSLSocket s = authenticated(NodeIdentity.generate(TcpFixture.RANDOM), null)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(100);
      out.flush();
      assertClosedByPeer(s);
    }
    awaitCount(() -> victimTransport.statistics().slowFrames() == 1);
    assertLogged("frame not completed within 2000 ms");
    assertStillServes();
  }

  @Test
  void aPeerThatConnectsAndNeverSpeaksIsClosed() throws Exception {
    try (Socket s = raw()) {
      assertClosedByPeer(s);
    }
    awaitCount(() -> victimTransport.statistics().handshakeFailures() == 1);
    assertLogged("timed out after 5000");
    assertStillServes();
  }

  @Test
  void aCertificateNamingAnotherNodesIdIsRefused() throws Exception {
    NodeIdentity attacker = NodeIdentity.generate(TcpFixture.RANDOM);
    Id stolen = victim.id; // claim the victim's own id, with the attacker's key
    assertThrows(
        IOException.class,
        () -> {
          try (SSLSocket s = authenticated(attacker, stolen)) {
            s.getOutputStream().write(new byte[] {0, 0, 0, 2, 1, 1});
            s.getOutputStream().flush();
            assertClosedByPeer(s);
            throw new IOException("closed after handshake");
          }
        });
    awaitCount(() -> victimTransport.statistics().handshakeFailures() == 1);
    assertLogged("but its key hashes to");
    assertStillServes();
  }

  @Test
  void aCertificateWhoseIdentityBindingCoversAnotherTlsKeyIsRefused() throws Exception {
    // ADR 0065: the attacker copies the victim's public identity key and binding signature (both
    // are in every certificate the victim presents) onto a TLS key of its own.
    NodeIdentity victimIdentity = NodeIdentity.generate(TcpFixture.RANDOM);
    NodeCredentials genuine = NodeCredentials.of(victimIdentity);
    byte[] copiedBinding =
        NodeCredentials.bindingSignature(victimIdentity, genuine.certificate().getPublicKey());
    NodeCredentials swapped =
        NodeCredentials.build(
            victimIdentity, genuine.id(), null, NodeCredentials.newTlsKey(), copiedBinding);
    assertThrows(
        IOException.class,
        () -> {
          try (SSLSocket s = authenticated(swapped)) {
            s.getOutputStream().write(new byte[] {0, 0, 0, 2, 1, 1});
            s.getOutputStream().flush();
            assertClosedByPeer(s);
            throw new IOException("closed after handshake");
          }
        });
    awaitCount(() -> victimTransport.statistics().handshakeFailures() == 1);
    assertLogged("does not cover this certificate's TLS key (key swapped or forged)");
    assertStillServes();
  }

  @Test
  void aFrameClaimingAnotherSenderIdIsRejected() throws Exception {
    try (SSLSocket s = authenticated(NodeIdentity.generate(TcpFixture.RANDOM), null)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      byte[] overlay =
          TransportContractTestAccess.frameFrom(victim.id, new byte[] {9}); // someone else's id
      out.writeInt(2 + overlay.length);
      out.write(new byte[] {1, 2});
      out.write(overlay);
      out.flush();
      assertClosedByPeer(s);
    }
    awaitCount(() -> victimTransport.statistics().identityMismatches() == 1);
    assertLogged("claiming another sender id");
    assertEquals(0, victim.count_());
    assertStillServes();
  }

  @Test
  void aConnectionThatDiesMidFrameIsCountedAsTruncated() throws Exception {
    try (SSLSocket s = authenticated(NodeIdentity.generate(TcpFixture.RANDOM), null)) {
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      out.writeInt(1000);
      out.write(new byte[] {1, 2, 0, 0, 0});
      out.flush();
    }
    awaitCount(() -> victimTransport.statistics().truncatedFrames() == 1);
    assertLogged("in the middle of a frame");
    assertStillServes();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private Socket raw() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), victim.transport.localAddress().port());
    s.setSoTimeout(10_000);
    return s;
  }

  /**
   * A TLS connection with {@code identity}'s key that has said hello; its certificate names {@code
   * claimed} (null: the honest id of that key).
   */
  private SSLSocket authenticated(NodeIdentity identity, Id claimed) throws Exception {
    return authenticated(
        claimed == null
            ? NodeCredentials.of(identity)
            : NodeCredentials.build(
                identity, claimed, null)); // a well-formed binding, a lying subject
  }

  /** A TLS connection presenting {@code honest}'s certificate and TLS key that has said hello. */
  private SSLSocket authenticated(NodeCredentials honest) throws Exception {
    X509Certificate cert = honest.certificate();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("node", honest.privateKey(), new char[0], new X509Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(
        kmf.getKeyManagers(),
        new javax.net.ssl.TrustManager[] {PeerTrust.INSTANCE},
        TcpFixture.RANDOM);
    SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory()
                .createSocket(
                    InetAddress.getLoopbackAddress(), victim.transport.localAddress().port());
    s.setEnabledProtocols(new String[] {"TLSv1.3"});
    s.setSoTimeout(10_000);
    s.startHandshake();
    byte[] hello = new byte[] {4, 127, 0, 0, 1, 0, 0, 0, 1};
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeInt(2 + hello.length);
    out.write(new byte[] {1, 1});
    out.write(hello);
    out.flush();
    return s;
  }

  /** Reads until the peer closes; fails if it keeps the connection open for 10 s. */
  private static void assertClosedByPeer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // the victim's hello and TLS records; keep reading until it hangs up
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the node kept the hostile connection open", e);
    } catch (IOException e) {
      // reset or TLS alert: closed
    }
  }

  private static void awaitCount(java.util.function.BooleanSupplier c) throws InterruptedException {
    assertTrue(TcpFixture.await(c, 10_000), "counter did not move");
  }

  private void assertLogged(String fragment) throws InterruptedException {
    assertTrue(
        TcpFixture.await(
            () -> {
              synchronized (warnings) {
                return warnings.stream().anyMatch(w -> w.contains(fragment));
              }
            },
            5_000),
        "a log line containing '" + fragment + "' in " + warnings);
  }

  private void assertStillServes() throws Exception {
    Endpoint honest = fixture.endpoint();
    int before = victim.count_();
    honest.transport.send(
        victim.transport.localAddress(),
        victim.id,
        TransportContractTestAccess.frameFrom(honest.id, new byte[] {1}));
    assertTrue(
        TcpFixture.await(() -> victim.count_() == before + 1, 10_000),
        "the node still serves honest peers");
  }
}
