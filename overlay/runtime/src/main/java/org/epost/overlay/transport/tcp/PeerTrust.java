package org.epost.overlay.transport.tcp;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Instant;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.overlay.api.Id;

/**
 * Decides which node id a peer's certificate proves, for both sides of every connection (mutual
 * authentication). In both policies the peer presents a single certificate for an EC P-256 TLS key,
 * self-signed by that key, whose identity-binding extension ({@link
 * NodeCredentials#IDENTITY_BINDING_OID}) holds an Ed25519 identity key and that key's signature
 * over the TLS key (ADR 0065). Then (ADR 0060, 0063):
 *
 * <ul>
 *   <li><b>derived</b> ({@link #DERIVED}): the subject (CN = 40 hex digits) names exactly the node
 *       id the identity key hashes to. No chains, no dates.
 *   <li><b>ring authority</b> ({@link #ringAuthority}): the certificate must also carry a {@link
 *       NodeCertificate} ({@link NodeCredentials#RING_CERTIFICATE_OID}) that the ring's authority
 *       signed, that is valid now and not revoked ({@link CertificateVerifier}), that names the
 *       identity key, and whose node id the subject names. The id is the certificate's.
 * </ul>
 *
 * TLS's CertificateVerify proves the peer holds the TLS key; the binding proves the identity key
 * authorised it. Stateless apart from the verifier (which is thread-safe); runs on I/O threads
 * during handshakes.
 */
final class PeerTrust extends X509ExtendedTrustManager {
  /** The derived-id policy. */
  static final PeerTrust DERIVED = new PeerTrust(null);

  /** The derived-id policy (the name older tests use). */
  static final PeerTrust INSTANCE = DERIVED;

  private static final int P256_FIELD_BITS = 256;
  private final CertificateVerifier authority;

  private PeerTrust(CertificateVerifier authority) {
    this.authority = authority;
  }

  /** The ring-authority policy: ids come from node certificates {@code verifier} accepts. */
  static PeerTrust ringAuthority(CertificateVerifier verifier) {
    return new PeerTrust(Objects.requireNonNull(verifier, "verifier"));
  }

  /**
   * The node id proven by {@code chain} under this policy.
   *
   * @throws CertificateException with a readable reason if the chain does not prove an id
   */
  Id verifiedId(java.security.cert.Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length != 1 || !(chain[0] instanceof X509Certificate)) {
      throw new CertificateException("peer must present exactly one node certificate");
    }
    X509Certificate cert = (X509Certificate) chain[0];
    if (!(cert.getPublicKey() instanceof ECPublicKey ec)
        || ec.getParams().getCurve().getField().getFieldSize() != P256_FIELD_BITS) {
      throw new CertificateException(
          "peer certificate's TLS key is not an EC P-256 key (ADR 0065)");
    }
    SigningPublicKey key = boundIdentityKey(cert);
    Id id = authority == null ? derivedId(cert, key) : certifiedId(cert, key);
    try {
      cert.verify(cert.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate is not self-signed by its TLS key", e);
    }
    return id;
  }

  /**
   * The Ed25519 identity key that authorised the certificate's TLS key (ADR 0065): the binding
   * extension must be present and well formed, and its signature by that identity key must cover
   * the domain-separation context and exactly this certificate's SubjectPublicKeyInfo.
   */
  private static SigningPublicKey boundIdentityKey(X509Certificate cert)
      throws CertificateException {
    byte[] ext = cert.getExtensionValue(NodeCredentials.IDENTITY_BINDING_OID);
    if (ext == null) {
      throw new CertificateException(
          "peer certificate carries no identity binding (no node identity key signs its "
              + "TLS key; a node older than ADR 0065?)");
    }
    SigningPublicKey key;
    byte[] signature;
    try {
      ASN1Sequence seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
      if (seq.size() != 2) {
        throw new IllegalArgumentException("expected 2 elements, found " + seq.size());
      }
      key = SigningPublicKey.fromBytes(ASN1OctetString.getInstance(seq.getObjectAt(0)).getOctets());
      signature = ASN1OctetString.getInstance(seq.getObjectAt(1)).getOctets();
    } catch (CryptoFormatException | IllegalArgumentException e) {
      throw new CertificateException(
          "peer certificate's identity binding is malformed: " + e.getMessage());
    }
    byte[] spki = cert.getPublicKey().getEncoded();
    if (signature.length != SigningPublicKey.SIGNATURE_LENGTH
        || !key.verify(NodeCredentials.bindingMessage(spki), signature)) {
      throw new CertificateException(
          "identity binding refused: the signature of identity key "
              + key
              + " does not cover this certificate's TLS key (key swapped or forged)");
    }
    return key;
  }

  private static Id derivedId(X509Certificate cert, SigningPublicKey key)
      throws CertificateException {
    Id derived = NodeCredentials.overlayId(NodeId.fromPublicKey(key));
    String claimed = commonName(cert.getSubjectX500Principal());
    if (!derived.toHex().equals(claimed)) {
      throw new CertificateException(
          "peer claims node id " + claimed + " but its key hashes to " + derived.toHex());
    }
    return derived;
  }

  private Id certifiedId(X509Certificate cert, SigningPublicKey key) throws CertificateException {
    byte[] ext = cert.getExtensionValue(NodeCredentials.RING_CERTIFICATE_OID);
    if (ext == null) {
      throw new CertificateException(
          "ring certificate refused: the peer presents no node certificate from the "
              + "ring authority (this ring does not accept ids derived from keys)");
    }
    NodeCertificate nodeCert;
    try {
      byte[] inner =
          ASN1OctetString.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getOctets();
      nodeCert = NodeCertificate.decode(inner);
    } catch (CryptoFormatException | IllegalArgumentException e) {
      throw new CertificateException(
          "ring certificate refused: malformed node certificate: " + e.getMessage());
    }
    try {
      // The host's clock, not the node's injected Clock: this runs on a Netty I/O thread during
      // the TLS handshake, off the loop, and only in real mode (the simulation has no TLS).
      authority.verify(nodeCert, Instant.now());
    } catch (VerificationException e) {
      throw new CertificateException("ring certificate refused: " + e.getMessage());
    }
    if (!nodeCert.nodeKey().equals(key)) {
      throw new CertificateException(
          "ring certificate refused: node certificate serial "
              + nodeCert.serial()
              + " was issued for another key than the identity key that signs the peer's TLS key (a copied certificate)");
    }
    Id certified = NodeCredentials.overlayId(nodeCert.nodeId());
    String claimed = commonName(cert.getSubjectX500Principal());
    if (!certified.toHex().equals(claimed)) {
      throw new CertificateException(
          "ring certificate refused: peer claims node id "
              + claimed
              + " but its ring certificate names "
              + certified.toHex());
    }
    return certified;
  }

  private static String commonName(X500Principal p) {
    String dn = p.getName(X500Principal.RFC2253);
    if (dn.startsWith("CN=") && dn.indexOf(',') < 0 && dn.length() == 3 + Id.DIGITS) {
      return dn.substring(3).toLowerCase(java.util.Locale.ROOT);
    }
    return "(no node id in subject '"
        + (dn.length() > 80 ? dn.substring(0, 80) + "..." : dn)
        + "')";
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
