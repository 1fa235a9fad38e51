package org.epost.overlay.transport.tcp;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.NodeIdentity;
import org.epost.overlay.api.Id;

/**
 * What a node presents in the TLS handshake: its Ed25519 private key (as a JDK key, for the JDK
 * TLS provider) and a self-signed X.509 certificate carrying the matching public key, with the
 * node id (40 hex digits) as the subject common name (ADR 0060). Immutable and thread-safe.
 *
 * <p>Two kinds (ADR 0063). {@link #of}: the id is derived from the key ({@link NodeId#fromPublicKey})
 * and peers trust the certificate because the key hashes to the id it names. {@link
 * #withRingCertificate}: the id is the one a ring authority's {@link NodeCertificate} assigns to the
 * key; the encoded node certificate travels in a private non-critical X.509 extension ({@link
 * #RING_CERTIFICATE_OID}) and peers in ring-authority mode verify it.
 */
public final class NodeCredentials {
  /**
   * OID of the X.509 extension that carries an encoded {@link NodeCertificate}: a UUID-based OID
   * (ITU-T X.667, arc 2.25), which needs no registration and collides with nobody.
   */
  public static final String RING_CERTIFICATE_OID = "2.25.174367566647813538893586232854983604228";
  /** DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), followed by the 32-byte seed. */
  private static final byte[] PKCS8_PREFIX = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20
  };
  /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), followed by 32 key bytes. */
  static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

  private static final Instant NOT_BEFORE = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant NOT_AFTER = Instant.parse("2100-01-01T00:00:00Z");

  private final Id id;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;
  private final NodeCertificate ringCertificate;

  private NodeCredentials(Id id, PrivateKey privateKey, X509Certificate certificate, NodeCertificate ringCertificate) {
    this.id = id;
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.ringCertificate = ringCertificate;
  }

  /**
   * Credentials for {@code identity}: its id is derived from its public key.
   *
   * @throws IllegalStateException if the JDK lacks Ed25519 (it has it since JDK 15)
   */
  public static NodeCredentials of(NodeIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return build(identity, overlayId(identity.derivedId()), null);
  }

  /**
   * Credentials for a ring with an authority: the id is {@code certificate.nodeId()}, which the
   * authority assigned to this node's key. Only peers in ring-authority mode (ADR 0063) accept them.
   *
   * @throws IllegalArgumentException if the certificate names another key than {@code identity}'s
   */
  public static NodeCredentials withRingCertificate(NodeIdentity identity, NodeCertificate certificate) {
    Objects.requireNonNull(identity, "identity");
    if (!certificate.nodeKey().equals(identity.signing().publicKey())) {
      throw new IllegalArgumentException("the node certificate (serial " + certificate.serial()
          + ") is for another key than this node's; ask the ring authority for one for this key");
    }
    return build(identity, overlayId(certificate.nodeId()), certificate);
  }

  /**
   * Builds credentials whose certificate names {@code subject} and carries {@code ringCertificate}
   * (null: none) without checking that they agree; the public factories check. Package-private
   * so that tests can build the inconsistent certificates an attacker would.
   */
  static NodeCredentials build(NodeIdentity identity, Id subject, NodeCertificate ringCertificate) {
    byte[] seed = identity.signing().exportSeed();
    byte[] pkcs8 = Arrays.copyOf(PKCS8_PREFIX, PKCS8_PREFIX.length + seed.length);
    System.arraycopy(seed, 0, pkcs8, PKCS8_PREFIX.length, seed.length);
    Arrays.fill(seed, (byte) 0);
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      PrivateKey priv = kf.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      PublicKey pub = kf.generatePublic(new X509EncodedKeySpec(spki(identity.signing().publicKey().toBytes())));
      X500Name name = new X500Name("CN=" + subject.toHex());
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          name, BigInteger.ONE, Date.from(NOT_BEFORE), Date.from(NOT_AFTER), name, pub);
      if (ringCertificate != null) {
        builder.addExtension(new ASN1ObjectIdentifier(RING_CERTIFICATE_OID), false,
            new DEROctetString(ringCertificate.encode()));
      }
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("Ed25519").build(priv)));
      return new NodeCredentials(subject, priv, cert, ringCertificate);
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot build an Ed25519 TLS certificate: " + e.getMessage(), e);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  static byte[] spki(byte[] rawKey) {
    byte[] out = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + rawKey.length);
    System.arraycopy(rawKey, 0, out, SPKI_PREFIX.length, rawKey.length);
    return out;
  }

  /** The overlay id of a crypto node id (both are the same 20 bytes). */
  public static Id overlayId(NodeId nodeId) {
    return Id.fromBytes(nodeId.toBytes());
  }

  /** This node's id: derived from its key, or assigned by the ring authority's certificate. */
  public Id id() {
    return id;
  }

  /** The ring authority's certificate for this node, or null if the id is derived from the key. */
  public NodeCertificate ringCertificate() {
    return ringCertificate;
  }

  PrivateKey privateKey() {
    return privateKey;
  }

  X509Certificate certificate() {
    return certificate;
  }
}
