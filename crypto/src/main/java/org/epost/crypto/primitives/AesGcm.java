package org.epost.crypto.primitives;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.epost.crypto.api.VerificationException;

/**
 * AES-256-GCM with 96-bit nonces and 128-bit tags, on the JDK provider (AES-NI). Thread-safe: one
 * {@link Cipher} per thread is re-initialised per call.
 *
 * <p>The JDK refuses to encrypt twice in a row under the same key and nonce on one {@code Cipher}
 * (a guard against nonce reuse). Content-hash encryption does that on purpose when the same content
 * is stored twice (same key, same nonce, same plaintext, same output, so nothing leaks); {@link
 * #encrypt} then re-keys this thread's cipher with a throwaway key first.
 */
public final class AesGcm {
  /** Key length in bytes. */
  public static final int KEY_LENGTH = 32;

  /** Nonce length in bytes. */
  public static final int NONCE_LENGTH = 12;

  /** Tag length in bytes. */
  public static final int TAG_LENGTH = 16;

  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(AesGcm::create);

  private AesGcm() {}

  /**
   * Encrypts {@code in[inOff, inOff+len)} into {@code out} at {@code outOff}; writes {@code len +
   * 16} bytes (ciphertext then tag). {@code aad} may be null.
   */
  public static int encrypt(
      byte[] key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
    Cipher c = CIPHER.get();
    try {
      try {
        c.init(
            Cipher.ENCRYPT_MODE,
            new SecretKeySpec(key, "AES"),
            new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      } catch (InvalidAlgorithmParameterException reuse) {
        byte[] other = key.clone();
        other[0] ^= 1;
        c.init(
            Cipher.ENCRYPT_MODE,
            new SecretKeySpec(other, "AES"),
            new GCMParameterSpec(TAG_LENGTH * 8, nonce));
        Arrays.fill(other, (byte) 0);
        c.init(
            Cipher.ENCRYPT_MODE,
            new SecretKeySpec(key, "AES"),
            new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      }
      if (aad != null) {
        c.updateAAD(aad);
      }
      return c.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
    }
  }

  /** Encrypts all of {@code plaintext}; returns ciphertext followed by the tag. */
  public static byte[] encrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    encrypt(key, nonce, aad, plaintext, 0, plaintext.length, out, 0);
    return out;
  }

  /**
   * Decrypts and authenticates {@code in[inOff, inOff+len)} (ciphertext then tag) into {@code out}
   * at {@code outOff}; returns the plaintext length ({@code len - 16}).
   *
   * @throws VerificationException if the tag does not match (wrong key or tampered bytes)
   */
  public static int decrypt(
      byte[] key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff)
      throws VerificationException {
    if (len < TAG_LENGTH) {
      throw new VerificationException("ciphertext shorter than its authentication tag");
    }
    Cipher c = CIPHER.get();
    try {
      c.init(
          Cipher.DECRYPT_MODE,
          new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      if (aad != null) {
        c.updateAAD(aad);
      }
      return c.doFinal(in, inOff, len, out, outOff);
    } catch (AEADBadTagException e) {
      throw new VerificationException("authentication failed: wrong key or tampered ciphertext");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e.getMessage(), e);
    }
  }

  /** Decrypts all of {@code ciphertext} (with tag); returns the plaintext. */
  public static byte[] decrypt(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws VerificationException {
    if (ciphertext.length < TAG_LENGTH) {
      throw new VerificationException("ciphertext shorter than its authentication tag");
    }
    byte[] out = new byte[ciphertext.length - TAG_LENGTH];
    decrypt(key, nonce, aad, ciphertext, 0, ciphertext.length, out, 0);
    return out;
  }

  private static Cipher create() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM missing from the JDK", e);
    }
  }
}
