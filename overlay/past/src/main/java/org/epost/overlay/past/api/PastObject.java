package org.epost.overlay.past.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;

/**
 * An object stored in PAST: its kind, its id on the ring, its bytes and its lease expiry.
 *
 * <p>Two kinds ({@link ObjectKind}):
 *
 * <ul>
 *   <li>Immutable: id = first 20 bytes of SHA-256(bytes). The expiry is a lease that anyone who
 *       names the id may extend ({@link Past#renew}); it is storer metadata, not part of the bytes.
 *   <li>Mutable: the bytes are an encoded {@link SignedObject} (owner key, label as object id,
 *       sequence, payload = 8-byte big-endian expiry then the owner's data), and id = first 20
 *       bytes of SHA-256("epost/past-mutable" | owner key | label). The expiry is signed: only the
 *       owner extends the lease, by signing a new version.
 * </ul>
 *
 * <p>An expiry is a wall time: milliseconds since 1970-01-01T00:00:00Z ({@link
 * org.epost.overlay.api.Clock#wallMillis}), the same on every node, on disk and on the wire, so it
 * keeps its meaning across restarts (ADR 0092). Storers read it against their own wall clock with a
 * skew tolerance ({@link PastConfig#clockSkewToleranceMillis}).
 *
 * <p>Instances made by the factories here are valid. Instances from the wire or disk come from
 * {@link #unverified} and must pass {@link #verify()} before anything trusts them. Immutable value;
 * {@link #bytes()} returns a copy.
 */
public final class PastObject {
  /** Largest object accepted, in bytes (fits one overlay payload with PAST's header). */
  public static final int MAX_BYTES = 56 * 1024;

  private static final byte[] MUTABLE_CONTEXT =
      "epost/past-mutable".getBytes(StandardCharsets.US_ASCII);

  private final ObjectKind kind;
  private final Id id;
  private final byte[] bytes;
  private final long expiryMillis;
  private final long sequence; // mutable: the signed sequence once verified; immutable: 0

  private PastObject(ObjectKind kind, Id id, byte[] bytes, long expiryMillis, long sequence) {
    this.kind = kind;
    this.id = id;
    this.bytes = bytes;
    this.expiryMillis = expiryMillis;
    this.sequence = sequence;
  }

  /**
   * An immutable content-hash object.
   *
   * @throws IllegalArgumentException if {@code content} exceeds {@link #MAX_BYTES}
   */
  public static PastObject immutable(byte[] content, long expiryMillis) {
    checkSize(content.length);
    byte[] copy = content.clone();
    return new PastObject(ObjectKind.IMMUTABLE, contentId(copy), copy, expiryMillis, 0);
  }

  /**
   * Signs a version of a mutable object named {@code label} by {@code owner}.
   *
   * @throws IllegalArgumentException if the label is not 1..64 bytes, the sequence is negative or
   *     the signed object would exceed {@link #MAX_BYTES}
   */
  public static PastObject mutable(
      SigningKeyPair owner, byte[] label, long sequence, byte[] data, long expiryMillis) {
    byte[] payload = ByteBuffer.allocate(8 + data.length).putLong(expiryMillis).put(data).array();
    SignedObject signed = SignedObject.sign(owner, label, sequence, payload);
    byte[] encoded = signed.encode();
    checkSize(encoded.length);
    return new PastObject(
        ObjectKind.MUTABLE, mutableId(owner.publicKey(), label), encoded, expiryMillis, sequence);
  }

  /** An object as received or read back, not yet checked; call {@link #verify()} before use. */
  public static PastObject unverified(ObjectKind kind, Id id, byte[] bytes, long expiryMillis) {
    checkSize(bytes.length);
    return new PastObject(
        Objects.requireNonNull(kind), Objects.requireNonNull(id), bytes, expiryMillis, -1);
  }

  /** The id of immutable content: the first 20 bytes of its SHA-256. */
  public static Id contentId(byte[] content) {
    return Id.fromBytes(Arrays.copyOf(Sha256.hash(content), Id.BYTES));
  }

  /** The id of the mutable object {@code label} of {@code owner}. */
  public static Id mutableId(SigningPublicKey owner, byte[] label) {
    MessageDigest md = Sha256.get();
    md.update(MUTABLE_CONTEXT);
    md.update(owner.toBytes());
    md.update(label);
    return Id.fromBytes(Arrays.copyOf(md.digest(), Id.BYTES));
  }

  /**
   * Checks the bytes against the id (and for a mutable object the signature, and takes the signed
   * expiry and sequence). Storers and readers call this on everything they receive.
   *
   * @return the verified object (for a mutable object with its signed sequence and expiry)
   * @throws PastException.InvalidObjectException with the reason, if the object is not what its id
   *     says
   */
  public PastObject verify() {
    if (kind == ObjectKind.IMMUTABLE) {
      if (!contentId(bytes).equals(id)) {
        throw new PastException.InvalidObjectException("content does not hash to id " + id);
      }
      return sequence == 0 ? this : new PastObject(kind, id, bytes, expiryMillis, 0);
    }
    SignedObject signed;
    try {
      signed = SignedObject.decode(bytes);
    } catch (CryptoException e) {
      throw new PastException.InvalidObjectException(
          "mutable object " + id + ": " + e.getMessage());
    }
    if (!mutableId(signed.owner(), signed.objectId()).equals(id)) {
      throw new PastException.InvalidObjectException(
          "mutable object's owner and label do not give id " + id);
    }
    byte[] payload = signed.payload();
    if (payload.length < 8) {
      throw new PastException.InvalidObjectException(
          "mutable object " + id + " has no signed expiry");
    }
    long signedExpiry = ByteBuffer.wrap(payload).getLong();
    return new PastObject(kind, id, bytes, signedExpiry, signed.sequence());
  }

  /** True when {@link #verify()} passes. */
  public boolean isValid() {
    try {
      verify();
      return true;
    } catch (PastException.InvalidObjectException e) {
      return false;
    }
  }

  /**
   * An immutable object with another lease expiry (a mutable object's expiry is signed: sign a new
   * version).
   */
  public PastObject withExpiry(long newExpiryMillis) {
    if (kind != ObjectKind.IMMUTABLE) {
      throw new IllegalStateException(
          "the expiry of a mutable object is signed; the owner signs a new version");
    }
    return new PastObject(kind, id, bytes, newExpiryMillis, sequence);
  }

  public ObjectKind kind() {
    return kind;
  }

  public Id id() {
    return id;
  }

  /** A copy of the stored bytes (for a mutable object the whole signed encoding). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * This object with {@code equalBytes}, byte for byte the same as its own, as its bytes: lets a
   * process that holds many copies of one object (a simulation's replicas) keep one array.
   *
   * @throws IllegalArgumentException if the bytes differ
   */
  public PastObject withSharedBytes(byte[] equalBytes) {
    if (!Arrays.equals(bytes, equalBytes)) {
      throw new IllegalArgumentException("not the bytes of object " + id);
    }
    return new PastObject(kind, id, equalBytes, expiryMillis, sequence);
  }

  /** The stored bytes without copying; callers must not modify them. For codecs and stores. */
  public byte[] bytesUnsafe() {
    return bytes;
  }

  public int size() {
    return bytes.length;
  }

  /** The lease expiry: a wall time in milliseconds since the epoch. */
  public long expiryMillis() {
    return expiryMillis;
  }

  /**
   * The signed sequence of a verified mutable object; 0 for an immutable object; -1 if not
   * verified.
   */
  public long sequence() {
    return sequence;
  }

  /**
   * The application's data: the content of an immutable object, the owner's data (after the signed
   * expiry) of a verified mutable object.
   */
  public byte[] data() {
    if (kind == ObjectKind.IMMUTABLE) {
      return bytes.clone();
    }
    try {
      byte[] payload = SignedObject.decode(bytes).payload();
      return Arrays.copyOfRange(payload, 8, payload.length);
    } catch (CryptoException e) {
      throw new PastException.InvalidObjectException(
          "mutable object " + id + ": " + e.getMessage());
    }
  }

  private static void checkSize(int length) {
    if (length > MAX_BYTES) {
      throw new IllegalArgumentException(
          "a PAST object is at most " + MAX_BYTES + " bytes, got " + length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PastObject p
        && p.kind == kind
        && p.id.equals(id)
        && p.expiryMillis == expiryMillis
        && Arrays.equals(p.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return kind + " " + id + " (" + bytes.length + " bytes, expires " + expiryMillis + ")";
  }
}
