package org.epost.crypto.primitives;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Per-thread SHA-256 instances. */
public final class Sha256 {
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(Sha256::create);

  private Sha256() {}

  /**
   * This thread's SHA-256 instance, reset. Use it and finish it ({@code digest()}) before calling
   * any other method of this module on the same thread.
   */
  public static MessageDigest get() {
    MessageDigest md = DIGEST.get();
    md.reset();
    return md;
  }

  /** SHA-256 of {@code data}. */
  public static byte[] hash(byte[] data) {
    return get().digest(data);
  }

  static MessageDigest create() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
