package org.epost.overlay.past;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.epost.overlay.past.api.PastObject;

/**
 * Proof of possession (ADR 0081): SHA-256(nonce | sequence | object bytes). Only a node holding the
 * exact bytes can compute it for a fresh nonce; the challenger computes it from its own copy. Two
 * one-byte-or-shorter markers stand for "not held" and "I hold another version".
 */
final class AuditProof {
  static final int LENGTH = 32;
  static final byte[] NOT_HELD = new byte[0];
  static final byte[] OTHER_VERSION = new byte[] {1};

  private AuditProof() {}

  static byte[] of(long nonce, PastObject object) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(ByteBuffer.allocate(16).putLong(nonce).putLong(object.sequence()).array());
      md.update(object.bytesUnsafe());
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always provides SHA-256", e);
    }
  }

  static boolean isNotHeld(byte[] proof) {
    return proof.length == 0;
  }

  static boolean isOtherVersion(byte[] proof) {
    return proof.length == 1;
  }
}
