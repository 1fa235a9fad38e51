package org.epost.crypto.api;

import java.util.Arrays;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * A signed mutable object, such as a log head: owner key, object id, sequence number, payload, and
 * the owner's signature. Storers keep the highest valid sequence; readers keep a high-water mark
 * and reject a rollback; two valid objects with the same owner, id and sequence but different
 * payloads form an {@link EquivocationProof}.
 *
 * <p>Invariant: every instance carries a valid signature by {@link #owner()}. Whether the owner is
 * the one the caller expects (for example the key in the user's certificate) is the caller's check.
 * Immutable and thread-safe.
 *
 * <p>Encoding: context {@code "epost/signed-object"}, version 1, fields 1 owner key (32), 2 object
 * id (1..64 bytes), 3 sequence (u64, non-negative), 4 payload (0..{@value #MAX_PAYLOAD} bytes), 15
 * owner's signature over every preceding byte.
 */
public final class SignedObject {
  /** Largest payload accepted. */
  public static final int MAX_PAYLOAD = 64 * 1024;

  /** Largest object id accepted. */
  public static final int MAX_ID = 64;

  static final String CONTEXT = "epost/signed-object";

  /** What a holder should do with a candidate given its current object. */
  public enum Decision {
    /** First object seen, or a higher sequence: replace the current object. */
    ACCEPT,
    /** Byte-for-byte the same content as the current object: nothing to do. */
    DUPLICATE,
    /** A lower sequence than the current object (a rollback or a late copy): ignore it. */
    STALE,
    /** Same sequence, different payload: the owner equivocated; build an EquivocationProof. */
    EQUIVOCATION,
    /** A different owner or object id: not an update of this object at all. */
    FOREIGN
  }

  private final SigningPublicKey owner;
  private final byte[] objectId;
  private final long sequence;
  private final byte[] payload;
  private final byte[] encoded;
  private final int signedLength;

  private SignedObject(
      SigningPublicKey owner,
      byte[] objectId,
      long sequence,
      byte[] payload,
      byte[] encoded,
      int signedLength) {
    this.owner = owner;
    this.objectId = objectId;
    this.sequence = sequence;
    this.payload = payload;
    this.encoded = encoded;
    this.signedLength = signedLength;
  }

  /** Signs a new version of object {@code objectId}. */
  public static SignedObject sign(
      SigningKeyPair owner, byte[] objectId, long sequence, byte[] payload) {
    if (objectId.length < 1
        || objectId.length > MAX_ID
        || sequence < 0
        || payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("object id 1..64 bytes, sequence >= 0, payload <= 64 KiB");
    }
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .bytes(1, owner.publicKey().toBytes())
            .bytes(2, objectId)
            .u64(3, sequence)
            .bytes(4, payload);
    int signedLength = w.size();
    byte[] encoded = SignedEncoding.sign(w, owner);
    return new SignedObject(
        owner.publicKey(), objectId.clone(), sequence, payload.clone(), encoded, signedLength);
  }

  /**
   * Parses and verifies an encoded object.
   *
   * @throws CryptoFormatException if the bytes are malformed
   * @throws VerificationException if the owner's signature does not verify
   */
  public static SignedObject decode(byte[] bytes) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    SigningPublicKey owner = SigningPublicKey.fromBytes(r.bytes(1, 32));
    byte[] id = r.bytes(2, 1, MAX_ID);
    long sequence = r.u64(3);
    if (sequence < 0) {
      throw new CryptoFormatException("negative sequence number");
    }
    byte[] payload = r.bytes(4, 0, MAX_PAYLOAD);
    int signedLength = r.position();
    byte[] sig = SignedEncoding.readSignature(r);
    if (!owner.verify(bytes, 0, signedLength, sig)) {
      throw new VerificationException("signed object's signature does not verify");
    }
    return new SignedObject(owner, id, sequence, payload, bytes.clone(), signedLength);
  }

  /**
   * Decides what to do with {@code candidate} when {@code current} (may be null) is held. Only
   * {@link Decision#ACCEPT} means "replace".
   */
  public static Decision decide(SignedObject current, SignedObject candidate) {
    if (current == null) {
      return Decision.ACCEPT;
    }
    if (!current.owner.equals(candidate.owner)
        || !Arrays.equals(current.objectId, candidate.objectId)) {
      return Decision.FOREIGN;
    }
    if (candidate.sequence > current.sequence) {
      return Decision.ACCEPT;
    }
    if (candidate.sequence < current.sequence) {
      return Decision.STALE;
    }
    return current.sameContent(candidate) ? Decision.DUPLICATE : Decision.EQUIVOCATION;
  }

  /** Whether both carry the same signed content (signatures may still differ). */
  boolean sameContent(SignedObject o) {
    return Arrays.equals(encoded, 0, signedLength, o.encoded, 0, o.signedLength);
  }

  public SigningPublicKey owner() {
    return owner;
  }

  /** The object id (a copy). */
  public byte[] objectId() {
    return objectId.clone();
  }

  public long sequence() {
    return sequence;
  }

  /** The payload (a copy). */
  public byte[] payload() {
    return payload.clone();
  }

  /** The canonical encoding (a copy). */
  public byte[] encode() {
    return encoded.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedObject && Arrays.equals(encoded, ((SignedObject) o).encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "SignedObject(" + owner + ", seq " + sequence + ", " + payload.length + " bytes)";
  }
}
