package org.epost.crypto.primitives;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF with HMAC-SHA-256 (RFC 5869). Thread-safe. */
public final class Hkdf {
  private static final int HASH_LEN = 32;
  private static final byte[] ZERO_SALT = new byte[HASH_LEN];

  private Hkdf() {}

  /** HKDF-Extract(salt, ikm); an empty or null salt means 32 zero bytes, as the RFC says. */
  public static byte[] extract(byte[] salt, byte[] ikm) {
    Mac mac = hmac(salt == null || salt.length == 0 ? ZERO_SALT : salt);
    return mac.doFinal(ikm);
  }

  /** HKDF-Expand(prk, info, length), length at most 255 * 32. */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > 255 * HASH_LEN) {
      throw new IllegalArgumentException("HKDF output length out of range: " + length);
    }
    Mac mac = hmac(prk);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int done = 0;
    for (int i = 1; done < length; i++) {
      mac.update(t);
      mac.update(info);
      mac.update((byte) i);
      t = mac.doFinal();
      int n = Math.min(HASH_LEN, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }

  /** Extract then expand. */
  public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    byte[] prk = extract(salt, ikm);
    try {
      return expand(prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** A fresh HMAC-SHA-256 initialised with {@code key}. */
  public static Mac hmac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
    }
  }
}
