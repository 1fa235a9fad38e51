package org.epost.crypto.api;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * The ring authority's signed list of revoked certificate serials (user and node certificates share
 * one serial space). Versions increase; a holder replaces its list only with a verified list of a
 * higher version, so an attacker cannot roll revocations back. Immutable.
 *
 * <p>Encoding: context {@code "epost/revocation-list"}, version 1, fields 1 list version (u64), 2
 * issuedAt (u64 epoch seconds), 3 serials (8 bytes each, big-endian, strictly ascending, at most
 * {@value #MAX_SERIALS}), 15 the authority's signature over every preceding byte.
 */
public final class RevocationList {
  /** Bound on the number of revoked serials one list may carry. */
  public static final int MAX_SERIALS = 100_000;

  static final String CONTEXT = "epost/revocation-list";

  private final long version;
  private final Instant issuedAt;
  private final long[] serials;
  private final byte[] encoded;
  private final int signedLength;

  private RevocationList(
      long version, Instant issuedAt, long[] serials, byte[] encoded, int signedLength) {
    this.version = version;
    this.issuedAt = issuedAt;
    this.serials = serials;
    this.encoded = encoded;
    this.signedLength = signedLength;
  }

  /** Issues a list signed by {@code authority}. */
  public static RevocationList issue(
      SigningKeyPair authority, long version, Instant issuedAt, Collection<Long> revoked) {
    long[] serials = revoked.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    if (serials.length > MAX_SERIALS) {
      throw new IllegalArgumentException("more than " + MAX_SERIALS + " revoked serials");
    }
    ByteBuffer b = ByteBuffer.allocate(serials.length * 8);
    for (long s : serials) {
      b.putLong(s);
    }
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .u64(1, version)
            .u64(2, issuedAt.getEpochSecond())
            .bytes(3, b.array());
    int signedLength = w.size();
    byte[] encoded = SignedEncoding.sign(w, authority);
    return new RevocationList(
        version, Instant.ofEpochSecond(issuedAt.getEpochSecond()), serials, encoded, signedLength);
  }

  /** Parses an encoded list (format only). */
  public static RevocationList decode(byte[] bytes) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    long version = r.u64(1);
    long issued = SignedEncoding.seconds(r.u64(2), "issuedAt");
    byte[] raw = r.bytes(3, 0, MAX_SERIALS * 8);
    if (raw.length % 8 != 0) {
      throw new CryptoFormatException("serial list length is not a multiple of 8");
    }
    long[] serials = new long[raw.length / 8];
    ByteBuffer b = ByteBuffer.wrap(raw);
    for (int i = 0; i < serials.length; i++) {
      serials[i] = b.getLong();
      if (i > 0 && serials[i] <= serials[i - 1]) {
        throw new CryptoFormatException("serials are not strictly ascending");
      }
    }
    int signedLength = r.position();
    SignedEncoding.readSignature(r);
    return new RevocationList(
        version, Instant.ofEpochSecond(issued), serials, bytes.clone(), signedLength);
  }

  /** Whether the signature verifies under {@code authority}. */
  public boolean isSignedBy(SigningPublicKey authority) {
    return SignedEncoding.verifies(authority, encoded, signedLength);
  }

  /** Whether {@code serial} is revoked by this list. */
  public boolean isRevoked(long serial) {
    return Arrays.binarySearch(serials, serial) >= 0;
  }

  public long version() {
    return version;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  /** The revoked serials, ascending (a copy). */
  public long[] serials() {
    return serials.clone();
  }

  /** Number of revoked serials. */
  public int size() {
    return serials.length;
  }

  /** The canonical encoding (a copy). */
  public byte[] encode() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RevocationList && Arrays.equals(encoded, ((RevocationList) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "RevocationList(version " + version + ", " + serials.length + " serials)";
  }
}
