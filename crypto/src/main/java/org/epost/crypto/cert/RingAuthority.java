package org.epost.crypto.cert;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import org.epost.crypto.api.AgreementPublicKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.NodeId;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;

/**
 * A ring's certificate authority: holds the authority's Ed25519 key and issues certificates and
 * revocation lists. Serial numbers are random positive 63-bit values, so several authority replicas
 * (or a restarted one) need no shared counter. Thread-safe.
 *
 * <p>Node ids: {@link #issueNodeCertificate(SigningPublicKey, Instant, Instant)} chooses the id at
 * random so that nobody can choose their place in the id space by grinding keys (ADR 0011).
 */
public final class RingAuthority {
  private final SigningKeyPair key;
  private final SecureRandom random;

  /** An authority signing with {@code key}; {@code random} picks serials and node ids. */
  public RingAuthority(SigningKeyPair key, SecureRandom random) {
    this.key = Objects.requireNonNull(key, "key");
    this.random = Objects.requireNonNull(random, "random");
  }

  /** The authority's public key: the ring's trust anchor. */
  public SigningPublicKey publicKey() {
    return key.publicKey();
  }

  /** Certifies that {@code address} owns the two keys during {@code [notBefore, notAfter]}. */
  public UserCertificate issueUserCertificate(
      String address,
      SigningPublicKey signingKey,
      AgreementPublicKey encryptionKey,
      Instant notBefore,
      Instant notAfter) {
    return UserCertificate.issue(
        key, nextSerial(), address, signingKey, encryptionKey, notBefore, notAfter);
  }

  /** Certifies that {@code nodeId} belongs to {@code nodeKey}. */
  public NodeCertificate issueNodeCertificate(
      NodeId nodeId, SigningPublicKey nodeKey, Instant notBefore, Instant notAfter) {
    return NodeCertificate.issue(key, nextSerial(), nodeId, nodeKey, notBefore, notAfter);
  }

  /** Certifies {@code nodeKey} under a node id chosen uniformly at random. */
  public NodeCertificate issueNodeCertificate(
      SigningPublicKey nodeKey, Instant notBefore, Instant notAfter) {
    byte[] id = new byte[NodeId.LENGTH];
    random.nextBytes(id);
    try {
      return issueNodeCertificate(NodeId.fromBytes(id), nodeKey, notBefore, notAfter);
    } catch (CryptoFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs revocation list {@code version} revoking {@code serials}. */
  public RevocationList issueRevocationList(
      long version, Instant issuedAt, Collection<Long> serials) {
    return RevocationList.issue(key, version, issuedAt, serials);
  }

  private long nextSerial() {
    long s;
    do {
      s = random.nextLong() & Long.MAX_VALUE;
    } while (s == 0);
    return s;
  }
}
