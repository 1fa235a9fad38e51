package org.epost.overlay.transport.tcp;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import java.time.Instant;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1OctetString;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.overlay.api.Id;

/**
 * Decides which node id a peer's certificate proves, for both sides of every connection (mutual
 * authentication). Two policies (ADR 0060, 0063):
 *
 * <ul>
 *   <li><b>derived</b> ({@link #DERIVED}): a single self-signed Ed25519 certificate whose subject
 *       (CN = 40 hex digits) names exactly the node id its key hashes to. No chains, no dates.
 *   <li><b>ring authority</b> ({@link #ringAuthority}): the certificate must also carry a {@link
 *       NodeCertificate} ({@link NodeCredentials#RING_CERTIFICATE_OID}) that the ring's authority
 *       signed, that is valid now and not revoked ({@link CertificateVerifier}), that names the TLS
 *       certificate's key, and whose node id the subject names. The id is the certificate's.
 * </ul>
 *
 * TLS's CertificateVerify proves the peer holds the key. Stateless apart from the verifier (which
 * is thread-safe); runs on I/O threads during handshakes.
 */
final class PeerTrust extends X509ExtendedTrustManager {
  /** The derived-id policy. */
  static final PeerTrust DERIVED = new PeerTrust(null);
  /** The derived-id policy (the name older tests use). */
  static final PeerTrust INSTANCE = DERIVED;

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
    byte[] spki = cert.getPublicKey().getEncoded();
    int prefix = NodeCredentials.SPKI_PREFIX.length;
    if (spki == null || spki.length != prefix + SigningPublicKey.LENGTH
        || !Arrays.equals(spki, 0, prefix, NodeCredentials.SPKI_PREFIX, 0, prefix)) {
      throw new CertificateException("peer certificate key is not Ed25519");
    }
    SigningPublicKey key;
    try {
      key = SigningPublicKey.fromBytes(Arrays.copyOfRange(spki, prefix, spki.length));
    } catch (CryptoFormatException e) {
      throw new CertificateException("peer certificate key is not a valid Ed25519 key", e);
    }
    Id id = authority == null ? derivedId(cert, key) : certifiedId(cert, key);
    try {
      cert.verify(cert.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate is not self-signed by its key", e);
    }
    return id;
  }

  private static Id derivedId(X509Certificate cert, SigningPublicKey key) throws CertificateException {
    Id derived = NodeCredentials.overlayId(NodeId.fromPublicKey(key));
    String claimed = commonName(cert.getSubjectX500Principal());
    if (!derived.toHex().equals(claimed)) {
      throw new CertificateException("peer claims node id " + claimed + " but its key hashes to " + derived.toHex());
    }
    return derived;
  }

  private Id certifiedId(X509Certificate cert, SigningPublicKey key) throws CertificateException {
    byte[] ext = cert.getExtensionValue(NodeCredentials.RING_CERTIFICATE_OID);
    if (ext == null) {
      throw new CertificateException("ring certificate refused: the peer presents no node certificate from the "
          + "ring authority (this ring does not accept ids derived from keys)");
    }
    NodeCertificate nodeCert;
    try {
      byte[] inner = ASN1OctetString.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getOctets();
      nodeCert = NodeCertificate.decode(inner);
    } catch (CryptoFormatException | IllegalArgumentException e) {
      throw new CertificateException("ring certificate refused: malformed node certificate: " + e.getMessage());
    }
    try {
      authority.verify(nodeCert, Instant.now());
    } catch (VerificationException e) {
      throw new CertificateException("ring certificate refused: " + e.getMessage());
    }
    if (!nodeCert.nodeKey().equals(key)) {
      throw new CertificateException("ring certificate refused: node certificate serial " + nodeCert.serial()
          + " was issued for another key than the one the peer proves (a copied certificate)");
    }
    Id certified = NodeCredentials.overlayId(nodeCert.nodeId());
    String claimed = commonName(cert.getSubjectX500Principal());
    if (!certified.toHex().equals(claimed)) {
      throw new CertificateException("ring certificate refused: peer claims node id " + claimed
          + " but its ring certificate names " + certified.toHex());
    }
    return certified;
  }

  private static String commonName(X500Principal p) {
    String dn = p.getName(X500Principal.RFC2253);
    if (dn.startsWith("CN=") && dn.indexOf(',') < 0 && dn.length() == 3 + Id.DIGITS) {
      return dn.substring(3).toLowerCase(java.util.Locale.ROOT);
    }
    return "(no node id in subject '" + (dn.length() > 80 ? dn.substring(0, 80) + "..." : dn) + "')";
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    verifiedId(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
