package org.epost.overlay.transport.tcp;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.overlay.api.Id;

/**
 * Trusts a peer certificate only if it is a single self-signed Ed25519 certificate whose subject
 * names (CN = 40 hex digits) exactly the node id its public key hashes to. Used for both sides of
 * every connection (mutual authentication). No hostnames, no chains, no dates: a node id is the
 * identity (ADR 0060). Stateless and thread-safe; runs on I/O threads during handshakes.
 */
final class PeerTrust extends X509ExtendedTrustManager {
  static final PeerTrust INSTANCE = new PeerTrust();

  private PeerTrust() {}

  /**
   * The node id proven by {@code chain}.
   *
   * @throws CertificateException with a readable reason if the chain does not prove an id
   */
  static Id verifiedId(java.security.cert.Certificate[] chain) throws CertificateException {
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
    Id derived;
    try {
      derived = NodeCredentials.overlayId(NodeId.fromPublicKey(
          SigningPublicKey.fromBytes(Arrays.copyOfRange(spki, prefix, spki.length))));
    } catch (CryptoFormatException e) {
      throw new CertificateException("peer certificate key is not a valid Ed25519 key", e);
    }
    String claimed = commonName(cert.getSubjectX500Principal());
    if (!derived.toHex().equals(claimed)) {
      throw new CertificateException("peer claims node id " + claimed + " but its key hashes to " + derived.toHex());
    }
    try {
      cert.verify(cert.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate is not self-signed by its key", e);
    }
    return derived;
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
