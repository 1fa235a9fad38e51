package org.epost.crypto.api;

import java.time.Instant;
import java.util.Arrays;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * A ring authority's statement "node id N belongs to the holder of Ed25519 key K between notBefore
 * and notAfter". Immutable.
 *
 * <p>Encoding: context {@code "epost/node-certificate"}, version 1, fields 1 serial (u64), 2 node
 * id (20), 3 node key (32), 4 notBefore and 5 notAfter (u64 epoch seconds), 15 the authority's
 * signature over every preceding byte.
 */
public final class NodeCertificate {
  static final String CONTEXT = "epost/node-certificate";

  private final long serial;
  private final NodeId nodeId;
  private final SigningPublicKey nodeKey;
  private final Instant notBefore;
  private final Instant notAfter;
  private final byte[] encoded;
  private final int signedLength;

  private NodeCertificate(
      long serial,
      NodeId nodeId,
      SigningPublicKey nodeKey,
      Instant notBefore,
      Instant notAfter,
      byte[] encoded,
      int signedLength) {
    this.serial = serial;
    this.nodeId = nodeId;
    this.nodeKey = nodeKey;
    this.notBefore = notBefore;
    this.notAfter = notAfter;
    this.encoded = encoded;
    this.signedLength = signedLength;
  }

  /** Issues a certificate signed by {@code authority}; times are truncated to seconds. */
  public static NodeCertificate issue(
      SigningKeyPair authority,
      long serial,
      NodeId nodeId,
      SigningPublicKey nodeKey,
      Instant notBefore,
      Instant notAfter) {
    if (notAfter.isBefore(notBefore)
        || notBefore.getEpochSecond() < 0
        || notAfter.getEpochSecond() > SignedEncoding.MAX_SECONDS) {
      throw new IllegalArgumentException("validity period is empty or outside 1970..9999");
    }
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .u64(1, serial)
            .bytes(2, nodeId.toBytes())
            .bytes(3, nodeKey.toBytes())
            .u64(4, notBefore.getEpochSecond())
            .u64(5, notAfter.getEpochSecond());
    int signedLength = w.size();
    byte[] encoded = SignedEncoding.sign(w, authority);
    return new NodeCertificate(
        serial,
        nodeId,
        nodeKey,
        Instant.ofEpochSecond(notBefore.getEpochSecond()),
        Instant.ofEpochSecond(notAfter.getEpochSecond()),
        encoded,
        signedLength);
  }

  /** Parses an encoded certificate (format only). */
  public static NodeCertificate decode(byte[] bytes) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    long serial = r.u64(1);
    NodeId id = NodeId.fromBytes(r.bytes(2, NodeId.LENGTH));
    SigningPublicKey key = SigningPublicKey.fromBytes(r.bytes(3, 32));
    long nb = SignedEncoding.seconds(r.u64(4), "notBefore");
    long na = SignedEncoding.seconds(r.u64(5), "notAfter");
    if (na < nb) {
      throw new CryptoFormatException("certificate expires before it starts");
    }
    int signedLength = r.position();
    SignedEncoding.readSignature(r);
    return new NodeCertificate(
        serial,
        id,
        key,
        Instant.ofEpochSecond(nb),
        Instant.ofEpochSecond(na),
        bytes.clone(),
        signedLength);
  }

  /** Whether the signature verifies under {@code authority}. */
  public boolean isSignedBy(SigningPublicKey authority) {
    return SignedEncoding.verifies(authority, encoded, signedLength);
  }

  /** The canonical encoding (a copy). */
  public byte[] encode() {
    return encoded.clone();
  }

  public long serial() {
    return serial;
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public SigningPublicKey nodeKey() {
    return nodeKey;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeCertificate && Arrays.equals(encoded, ((NodeCertificate) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "NodeCertificate(" + nodeId + ", serial " + serial + ")";
  }
}
