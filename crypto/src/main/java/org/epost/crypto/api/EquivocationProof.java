package org.epost.crypto.api;

import java.util.Arrays;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;

/**
 * Proof that an owner signed two different payloads for the same object id and sequence number.
 * Anyone can check it with {@link #decode}: both objects verify under the same owner key, share id
 * and sequence, and differ in content. Immutable.
 *
 * <p>Encoding: context {@code "epost/equivocation-proof"}, version 1, field 1 and field 2 the two
 * encoded {@link SignedObject}s, in unsigned lexicographic order of their encodings (so a proof has
 * one canonical form). The proof itself is unsigned: its strength is the owner's two signatures
 * inside it.
 */
public final class EquivocationProof {
  static final String CONTEXT = "epost/equivocation-proof";
  private static final int MAX_OBJECT = SignedObject.MAX_PAYLOAD + 512;

  private final SignedObject first;
  private final SignedObject second;

  private EquivocationProof(SignedObject first, SignedObject second) {
    this.first = first;
    this.second = second;
  }

  /**
   * Builds a proof from two objects.
   *
   * @throws IllegalArgumentException if they are not an equivocation (different owner, id or
   *     sequence, or the same content)
   */
  public static EquivocationProof of(SignedObject a, SignedObject b) {
    if (SignedObject.decide(a, b) != SignedObject.Decision.EQUIVOCATION) {
      throw new IllegalArgumentException("not an equivocation: " + a + " / " + b);
    }
    byte[] ea = a.encode();
    byte[] eb = b.encode();
    return Arrays.compareUnsigned(ea, eb) < 0
        ? new EquivocationProof(a, b)
        : new EquivocationProof(b, a);
  }

  /**
   * Parses and checks a proof.
   *
   * @throws CryptoFormatException if malformed or not in canonical order
   * @throws VerificationException if a signature fails or the objects do not equivocate
   */
  public static EquivocationProof decode(byte[] bytes) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    byte[] ea = r.bytes(1, 1, MAX_OBJECT);
    byte[] eb = r.bytes(2, 1, MAX_OBJECT);
    r.end();
    if (Arrays.compareUnsigned(ea, eb) >= 0) {
      throw new CryptoFormatException("equivocation proof objects are not in canonical order");
    }
    SignedObject a = SignedObject.decode(ea);
    SignedObject b = SignedObject.decode(eb);
    if (SignedObject.decide(a, b) != SignedObject.Decision.EQUIVOCATION) {
      throw new VerificationException("the two objects do not prove an equivocation");
    }
    return new EquivocationProof(a, b);
  }

  /** The canonical encoding. */
  public byte[] encode() {
    return CanonicalWriter.start(CONTEXT, 1)
        .bytes(1, first.encode())
        .bytes(2, second.encode())
        .toByteArray();
  }

  /** The key that equivocated. */
  public SigningPublicKey owner() {
    return first.owner();
  }

  public SignedObject first() {
    return first;
  }

  public SignedObject second() {
    return second;
  }

  @Override
  public String toString() {
    return "EquivocationProof(" + owner() + ", seq " + first.sequence() + ")";
  }
}
