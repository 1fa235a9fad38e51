package org.epost.overlay.past.api;

/** The two kinds of PAST object; the kind decides how storers and readers verify the bytes. */
public enum ObjectKind {
  /**
   * Content-hash object: its id is the first 20 bytes of SHA-256 of its bytes. Anyone can check it;
   * it never changes.
   */
  IMMUTABLE(1),
  /**
   * Signed mutable object (for example a log head): the bytes are an encoded {@link
   * org.epost.crypto.api.SignedObject} whose payload starts with the lease expiry; the id is
   * derived from the owner key and the object's label. Storers keep the highest valid sequence.
   */
  MUTABLE(2);

  private final int code;

  ObjectKind(int code) {
    this.code = code;
  }

  /** Wire and disk code. */
  public int code() {
    return code;
  }

  /** The kind with wire code {@code code}, or null if none. */
  public static ObjectKind ofCode(int code) {
    return switch (code) {
      case 1 -> IMMUTABLE;
      case 2 -> MUTABLE;
      default -> null;
    };
  }
}
