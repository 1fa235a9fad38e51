package org.epost.overlay.transport.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocket;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.crypto.cert.RingAuthority;
import org.epost.overlay.transport.TransportContractTest.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ring-authority mode (ADR 0063): node ids come from node certificates the ring's authority issued.
 * A valid certificate is accepted in both directions; a certificate from another authority, an
 * expired or revoked one, a copied one, one whose subject names another id, and a derived-id
 * certificate are each refused with a clear log line and a closed connection, and the node keeps
 * serving.
 */
class RingAuthorityTransportTest {
  private static final Logger TRANSPORT_LOG = Logger.getLogger("org.epost.overlay.transport");
  private final TcpFixture fixture =
      new TcpFixture(TcpTransportConfig.defaults().withTimeouts(5_000, 2_000));
  private final RingAuthority authority =
      new RingAuthority(SigningKeyPair.generate(TcpFixture.RANDOM), TcpFixture.RANDOM);
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
  private CertificateVerifier victimVerifier;

  @BeforeEach
  void start() throws Exception {
    TRANSPORT_LOG.addHandler(capture);
    victimVerifier = new CertificateVerifier(authority.publicKey());
    NodeCredentials creds = certified(NodeIdentity.generate(TcpFixture.RANDOM), authority);
    victim = new Endpoint(creds.id());
    victimTransport = fixture.transport(creds, victim, config(victimVerifier));
    victim.transport = victimTransport;
  }

  @AfterEach
  void stop() {
    TRANSPORT_LOG.removeHandler(capture);
    fixture.close();
  }

  @Test
  void nodesWithValidCertificatesTalkBothWaysUnderTheAssignedIds() throws Exception {
    NodeIdentity identity = NodeIdentity.generate(TcpFixture.RANDOM);
    NodeCredentials creds = certified(identity, authority);
    assertNotEquals(
        NodeCredentials.overlayId(identity.derivedId()),
        creds.id(),
        "the id is the authority's, not the key's");
    Endpoint peer = new Endpoint(creds.id());
    peer.transport =
        fixture.transport(creds, peer, config(new CertificateVerifier(authority.publicKey())));

    peer.transport.send(
        victim.transport.localAddress(),
        victim.id,
        TransportContractTestAccess.frameFrom(peer.id, new byte[] {1}));
    assertTrue(
        TcpFixture.await(() -> victim.count_() == 1, 10_000),
        "the victim accepts a certified peer");
    victim.transport.send(
        peer.transport.localAddress(),
        peer.id,
        TransportContractTestAccess.frameFrom(victim.id, new byte[] {2}));
    assertTrue(TcpFixture.await(() -> peer.count_() == 1, 10_000), "and answers it");
    assertEquals(0, victimTransport.statistics().handshakeFailures());
  }

  @Test
  void aCertificateFromAnotherAuthorityIsRefused() throws Exception {
    RingAuthority other =
        new RingAuthority(SigningKeyPair.generate(TcpFixture.RANDOM), TcpFixture.RANDOM);
    attack(certified(NodeIdentity.generate(TcpFixture.RANDOM), other));
    assertRefused("is not signed by this ring's authority");
  }

  @Test
  void anExpiredCertificateIsRefused() throws Exception {
    NodeIdentity identity = NodeIdentity.generate(TcpFixture.RANDOM);
    Instant now = Instant.now();
    NodeCertificate expired =
        authority.issueNodeCertificate(
            identity.signing().publicKey(),
            now.minus(Duration.ofDays(30)),
            now.minus(Duration.ofDays(1)));
    attack(NodeCredentials.withRingCertificate(identity, expired));
    assertRefused("expired at");
  }

  @Test
  void aRevokedCertificateIsRefusedOnceTheListArrives() throws Exception {
    NodeIdentity identity = NodeIdentity.generate(TcpFixture.RANDOM);
    NodeCredentials creds = certified(identity, authority);
    victimVerifier.update(
        authority.issueRevocationList(1, Instant.now(), List.of(creds.ringCertificate().serial())));
    attack(creds);
    assertRefused("is revoked by revocation list 1");
  }

  @Test
  void aNodeDoesNotDialAPeerWhoseCertificateWasRevoked() throws Exception {
    NodeCredentials creds = certified(NodeIdentity.generate(TcpFixture.RANDOM), authority);
    Endpoint peer = new Endpoint(creds.id());
    peer.transport =
        fixture.transport(creds, peer, config(new CertificateVerifier(authority.publicKey())));
    victimVerifier.update(
        authority.issueRevocationList(1, Instant.now(), List.of(creds.ringCertificate().serial())));

    victim.transport.send(
        peer.transport.localAddress(),
        peer.id,
        TransportContractTestAccess.frameFrom(victim.id, new byte[] {3}));
    assertTrue(
        TcpFixture.await(() -> victimTransport.statistics().handshakeFailures() == 1, 10_000));
    assertLogged("is revoked by revocation list 1");
    assertTrue(
        TcpFixture.await(
            () -> victim.unreachableHints().contains(peer.transport.localAddress()), 10_000),
        "the node is told the peer is unreachable");
    assertEquals(0, peer.count_(), "no frame reached the revoked node");
  }

  @Test
  void aCertificateIssuedForAnotherKeyIsRefused() throws Exception {
    NodeCertificate someoneElses =
        authority.issueNodeCertificate(
            NodeIdentity.generate(TcpFixture.RANDOM).signing().publicKey(),
            Instant.now().minusSeconds(60),
            Instant.now().plus(Duration.ofDays(1)));
    NodeIdentity thief = NodeIdentity.generate(TcpFixture.RANDOM);
    attack(
        NodeCredentials.build(
            thief, NodeCredentials.overlayId(someoneElses.nodeId()), someoneElses));
    assertRefused("issued for another key");
  }

  @Test
  void aSubjectNamingAnotherIdThanTheRingCertificateIsRefused() throws Exception {
    NodeIdentity identity = NodeIdentity.generate(TcpFixture.RANDOM);
    NodeCertificate cert =
        authority.issueNodeCertificate(
            identity.signing().publicKey(),
            Instant.now().minusSeconds(60),
            Instant.now().plus(Duration.ofDays(1)));
    attack(NodeCredentials.build(identity, victim.id, cert)); // claims the victim's id
    assertRefused("but its ring certificate names");
  }

  @Test
  void aKeyDerivedIdIsRefusedInARingWithAnAuthority() throws Exception {
    attack(NodeCredentials.of(NodeIdentity.generate(TcpFixture.RANDOM)));
    assertRefused("presents no node certificate from the ring authority");
  }

  @Test
  void aNodeWithoutAValidCertificateOfItsOwnDoesNotStart() {
    NodeIdentity identity = NodeIdentity.generate(TcpFixture.RANDOM);
    CertificateVerifier verifier = new CertificateVerifier(authority.publicKey());
    IllegalArgumentException derived =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                fixture.transport(
                    NodeCredentials.of(identity), new Endpoint(null), config(verifier)));
    assertTrue(
        derived.getMessage().contains("needs credentials with a node certificate"),
        derived.getMessage());
    Instant now = Instant.now();
    NodeCredentials expired =
        NodeCredentials.withRingCertificate(
            identity,
            authority.issueNodeCertificate(
                identity.signing().publicKey(), now.minusSeconds(7200), now.minusSeconds(3600)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> fixture.transport(expired, new Endpoint(null), config(verifier)));
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void credentialsRefuseACertificateForAnotherKey() {
    NodeCertificate cert =
        authority.issueNodeCertificate(
            NodeIdentity.generate(TcpFixture.RANDOM).signing().publicKey(),
            Instant.now(),
            Instant.now().plusSeconds(60));
    assertThrows(
        IllegalArgumentException.class,
        () -> NodeCredentials.withRingCertificate(NodeIdentity.generate(TcpFixture.RANDOM), cert));
  }

  // ---- helpers ----------------------------------------------------------------------------

  private TcpTransportConfig config(CertificateVerifier verifier) {
    return TcpTransportConfig.defaults().withTimeouts(5_000, 2_000).withRingAuthority(verifier);
  }

  private static NodeCredentials certified(NodeIdentity identity, RingAuthority by) {
    Instant now = Instant.now();
    return NodeCredentials.withRingCertificate(
        identity,
        by.issueNodeCertificate(
            identity.signing().publicKey(), now.minusSeconds(60), now.plus(Duration.ofDays(1))));
  }

  /**
   * Connects to the victim with {@code creds} (as an attacker would, with a plain TLS socket that
   * accepts the victim), says hello and sends one frame, then reads until the victim hangs up.
   */
  private void attack(NodeCredentials creds) throws Exception {
    javax.net.ssl.SSLContext ctx =
        ((io.netty.handler.ssl.JdkSslContext)
                TlsEngine.JDK.clientContext(
                    creds, PeerTrust.ringAuthority(new CertificateVerifier(authority.publicKey()))))
            .context();
    try (SSLSocket s =
        (SSLSocket)
            ctx.getSocketFactory()
                .createSocket(
                    InetAddress.getLoopbackAddress(), victim.transport.localAddress().port())) {
      s.setEnabledProtocols(new String[] {"TLSv1.3"});
      s.setSoTimeout(10_000);
      s.startHandshake();
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      byte[] hello = new byte[] {4, 127, 0, 0, 1, 0, 0, 0, 1};
      out.writeInt(2 + hello.length);
      out.write(new byte[] {1, 1});
      out.write(hello);
      byte[] overlay = TransportContractTestAccess.frameFrom(creds.id(), new byte[] {9});
      out.writeInt(2 + overlay.length);
      out.write(new byte[] {1, 2});
      out.write(overlay);
      out.flush();
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // keep reading until the victim closes
      }
    } catch (java.net.SocketTimeoutException e) {
      throw new AssertionError("the node kept the connection open", e);
    } catch (IOException e) {
      // TLS alert or reset: the victim closed the connection
    }
  }

  private void assertRefused(String reason) throws Exception {
    assertTrue(
        TcpFixture.await(() -> victimTransport.statistics().handshakeFailures() == 1, 10_000),
        "the handshake failure is counted");
    assertLogged(reason);
    assertEquals(0, victim.count_(), "no frame from the refused peer was delivered");
    // the node keeps serving certified peers
    NodeCredentials creds = certified(NodeIdentity.generate(TcpFixture.RANDOM), authority);
    Endpoint honest = new Endpoint(creds.id());
    honest.transport =
        fixture.transport(creds, honest, config(new CertificateVerifier(authority.publicKey())));
    honest.transport.send(
        victim.transport.localAddress(),
        victim.id,
        TransportContractTestAccess.frameFrom(honest.id, new byte[] {1}));
    assertTrue(
        TcpFixture.await(() -> victim.count_() == 1, 10_000),
        "the node still serves certified peers");
  }

  private void assertLogged(String fragment) throws InterruptedException {
    assertTrue(
        TcpFixture.await(
            () -> {
              synchronized (warnings) {
                return warnings.stream()
                    .anyMatch(w -> w.contains(fragment) && w.contains("closing connection"));
              }
            },
            5_000),
        "a log line containing '" + fragment + "' in " + warnings);
  }
}
