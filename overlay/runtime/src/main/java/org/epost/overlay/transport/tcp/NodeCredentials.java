package org.epost.overlay.transport.tcp;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
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
 * What a node presents in the TLS handshake (ADR 0060, 0065): a <b>TLS key</b> (ECDSA P-256, fresh
 * per process) and a self-signed X.509 certificate for it, with the node id (40 hex digits) as the
 * subject common name and a private non-critical extension ({@link #IDENTITY_BINDING_OID}) binding
 * the TLS key to the node's long-term Ed25519 <b>identity key</b>: the identity public key and its
 * signature over {@link #BINDING_CONTEXT} followed by the DER SubjectPublicKeyInfo of the TLS key.
 * The identity key never enters the TLS engine (which lets engines without Ed25519 certificates,
 * such as BoringSSL in the versions we ship, serve); it only signs the binding. Immutable and
 * thread-safe.
 *
 * <p>Two kinds (ADR 0063). {@link #of}: the id is derived from the identity key ({@link
 * NodeId#fromPublicKey}). {@link #withRingCertificate}: the id is the one a ring authority's {@link
 * NodeCertificate} assigns to the identity key; the encoded node certificate travels in a second
 * private extension ({@link #RING_CERTIFICATE_OID}) and peers in ring-authority mode verify it.
 */
public final class NodeCredentials {
  /**
   * OID of the X.509 extension that carries an encoded {@link NodeCertificate}: a UUID-based OID
   * (ITU-T X.667, arc 2.25), which needs no registration and collides with nobody.
   */
  public static final String RING_CERTIFICATE_OID = "2.25.174367566647813538893586232854983604228";

  /**
   * OID of the X.509 extension binding the TLS key to the identity key (ADR 0065): DER {@code
   * SEQUENCE { OCTET STRING identityKey (32 bytes), OCTET STRING signature (64 bytes) }}.
   * UUID-based.
   */
  public static final String IDENTITY_BINDING_OID = "2.25.186887540805779030861068661123783717462";

  /**
   * Domain separation for the binding signature: the identity key signs these bytes followed by the
   * TLS key's DER SubjectPublicKeyInfo, so the signature cannot be replayed as any other ePOST
   * signature (no other signed encoding starts with this string).
   */
  static final byte[] BINDING_CONTEXT =
      "epost overlay TLS key binding v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static final Instant NOT_BEFORE = Instant.parse("2020-01-01T00:00:00Z");
  private static final Instant NOT_AFTER = Instant.parse("2100-01-01T00:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Id id;
  private final PrivateKey privateKey;
  private final X509Certificate certificate;
  private final NodeCertificate ringCertificate;

  private NodeCredentials(
      Id id, PrivateKey privateKey, X509Certificate certificate, NodeCertificate ringCertificate) {
    this.id = id;
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.ringCertificate = ringCertificate;
  }

  /**
   * Credentials for {@code identity}: its id is derived from its public key. Generates a fresh
   * P-256 TLS key.
   *
   * @throws IllegalStateException if the JDK lacks EC P-256 (every JDK has it)
   */
  public static NodeCredentials of(NodeIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return build(identity, overlayId(identity.derivedId()), null);
  }

  /**
   * Credentials for a ring with an authority: the id is {@code certificate.nodeId()}, which the
   * authority assigned to this node's identity key. Only peers in ring-authority mode (ADR 0063)
   * accept them.
   *
   * @throws IllegalArgumentException if the certificate names another key than {@code identity}'s
   */
  public static NodeCredentials withRingCertificate(
      NodeIdentity identity, NodeCertificate certificate) {
    Objects.requireNonNull(identity, "identity");
    if (!certificate.nodeKey().equals(identity.signing().publicKey())) {
      throw new IllegalArgumentException(
          "the node certificate (serial "
              + certificate.serial()
              + ") is for another key than this node's; ask the ring authority for one for this key");
    }
    return build(identity, overlayId(certificate.nodeId()), certificate);
  }

  /**
   * Builds credentials whose certificate names {@code subject} and carries {@code ringCertificate}
   * (null: none) without checking that they agree; the public factories check. Package-private so
   * that tests can build the inconsistent certificates an attacker would.
   */
  static NodeCredentials build(NodeIdentity identity, Id subject, NodeCertificate ringCertificate) {
    KeyPair tls = newTlsKey();
    return build(
        identity, subject, ringCertificate, tls, bindingSignature(identity, tls.getPublic()));
  }

  /**
   * Builds credentials for the TLS key pair {@code tls} whose binding extension carries {@code
   * identity}'s public key and {@code binding} as its signature, whatever that signature covers.
   * Package-private for tests that forge bindings.
   */
  static NodeCredentials build(
      NodeIdentity identity,
      Id subject,
      NodeCertificate ringCertificate,
      KeyPair tls,
      byte[] binding) {
    try {
      X500Name name = new X500Name("CN=" + subject.toHex());
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              BigInteger.ONE,
              Date.from(NOT_BEFORE),
              Date.from(NOT_AFTER),
              name,
              tls.getPublic());
      builder.addExtension(
          new ASN1ObjectIdentifier(IDENTITY_BINDING_OID),
          false,
          new DERSequence(
              new ASN1Encodable[] {
                new DEROctetString(identity.signing().publicKey().toBytes()),
                new DEROctetString(binding)
              }));
      if (ringCertificate != null) {
        builder.addExtension(
            new ASN1ObjectIdentifier(RING_CERTIFICATE_OID),
            false,
            new DEROctetString(ringCertificate.encode()));
      }
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(tls.getPrivate())));
      return new NodeCredentials(subject, tls.getPrivate(), cert, ringCertificate);
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a P-256 TLS certificate: " + e.getMessage(), e);
    }
  }

  /** A fresh ECDSA P-256 key pair for TLS. */
  static KeyPair newTlsKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 TLS key: " + e.getMessage(), e);
    }
  }

  /**
   * {@code identity}'s signature over {@link #BINDING_CONTEXT} and {@code tlsKey}'s
   * SubjectPublicKeyInfo.
   */
  static byte[] bindingSignature(NodeIdentity identity, PublicKey tlsKey) {
    return identity.signing().sign(bindingMessage(tlsKey.getEncoded()));
  }

  /**
   * The bytes the identity key signs for a TLS key whose DER SubjectPublicKeyInfo is {@code spki}.
   */
  static byte[] bindingMessage(byte[] spki) {
    byte[] m = Arrays.copyOf(BINDING_CONTEXT, BINDING_CONTEXT.length + spki.length);
    System.arraycopy(spki, 0, m, BINDING_CONTEXT.length, spki.length);
    return m;
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

  /** The TLS private key (P-256), for the TLS engine only. */
  PrivateKey privateKey() {
    return privateKey;
  }

  X509Certificate certificate() {
    return certificate;
  }
}
