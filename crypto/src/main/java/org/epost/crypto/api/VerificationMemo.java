package org.epost.crypto.api;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A process-wide memo of pure public-key results, for a JVM that runs many simulated nodes which
 * verify the very same bytes (ADR 0135): Ed25519 signatures that verified, and Ed25519 public keys
 * that decoded. Off unless {@link #install} is called; product processes never call it.
 *
 * <p>Exact: an entry is the full bytes of (public key, signature, signed message), compared byte
 * for byte on every hit, never a digest of them; only a signature that verified is remembered, so a
 * forged or altered signature (or message, or key) misses the memo and is verified, and rejected,
 * as without it. Results are therefore identical with and without the memo; only the work differs.
 *
 * <p>Bounded: at most {@code maxEntries} signatures and {@code maxBytes} of their bytes, least
 * recently used first out; messages longer than {@link #MAX_MESSAGE_BYTES} are not remembered.
 * Thread-safe (one lock; the simulator is single-threaded).
 */
public final class VerificationMemo {
  /** Longest signed message the memo keeps. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private static final int MAX_KEYS = 65_536;

  private static volatile VerificationMemo installed;

  private final int maxEntries;
  private final long maxBytes;
  private final Map<Entry, Boolean> valid;
  private final Map<Entry, SigningPublicKey> keys;
  private long bytes;
  private long hits;
  private long misses;

  private VerificationMemo(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.valid = new LinkedHashMap<>(1024, 0.75f, true);
    this.keys = new LinkedHashMap<>(1024, 0.75f, true);
  }

  /**
   * Installs a memo of at most {@code maxEntries} verified signatures and {@code maxBytes} of their
   * bytes for the rest of this process (replacing one installed before), and returns it.
   */
  public static VerificationMemo install(int maxEntries, long maxBytes) {
    if (maxEntries <= 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("bounds must be positive");
    }
    VerificationMemo m = new VerificationMemo(maxEntries, maxBytes);
    installed = m;
    return m;
  }

  /** Removes the installed memo, if any: every verification is computed again. */
  public static void uninstall() {
    installed = null;
  }

  /** The installed memo, or null. */
  static VerificationMemo installed() {
    return installed;
  }

  /** Verifications answered from the memo. */
  public synchronized long hits() {
    return hits;
  }

  /** Verifications computed (and remembered when they succeeded). */
  public synchronized long misses() {
    return misses;
  }

  /** Signatures remembered now. */
  public synchronized int size() {
    return valid.size();
  }

  /**
   * Whether the signature verifies, computed only when these exact bytes have not verified before.
   */
  boolean verify(SigningPublicKey key, byte[] message, int off, int len, byte[] signature) {
    if (message == null
        || off < 0
        || len < 0
        || off > message.length - len
        || len > MAX_MESSAGE_BYTES) {
      return key.verifyNow(message, off, len, signature);
    }
    Entry e = Entry.of(key.rawBytes(), signature, message, off, len);
    synchronized (this) {
      if (valid.get(e) != null) {
        hits++;
        return true;
      }
      misses++;
    }
    boolean ok = key.verifyNow(message, off, len, signature);
    if (ok) {
      synchronized (this) {
        if (valid.put(e, Boolean.TRUE) == null) {
          bytes += e.data.length;
          while (valid.size() > maxEntries || bytes > maxBytes) {
            Entry eldest = valid.keySet().iterator().next();
            valid.remove(eldest);
            bytes -= eldest.data.length;
          }
        }
      }
    }
    return ok;
  }

  /** The key decoded from these exact 32 bytes before, or null. */
  synchronized SigningPublicKey decodedKey(byte[] encoded) {
    return keys.get(Entry.of(encoded, null, null, 0, 0));
  }

  /** Remembers a key that decoded. */
  synchronized void rememberKey(SigningPublicKey key) {
    keys.put(Entry.of(key.rawBytes(), null, null, 0, 0), key);
    if (keys.size() > MAX_KEYS) {
      keys.remove(keys.keySet().iterator().next());
    }
  }

  /** The concatenated bytes of one verification, with their hash. */
  private static final class Entry {
    final byte[] data;
    final int hash;

    private Entry(byte[] data) {
      this.data = data;
      this.hash = Arrays.hashCode(data);
    }

    static Entry of(byte[] key, byte[] sig, byte[] msg, int off, int len) {
      int sigLen = sig == null ? 0 : sig.length;
      byte[] d = new byte[key.length + sigLen + len];
      System.arraycopy(key, 0, d, 0, key.length);
      if (sig != null) {
        System.arraycopy(sig, 0, d, key.length, sigLen);
      }
      if (len > 0) {
        System.arraycopy(msg, off, d, key.length + sigLen, len);
      }
      return new Entry(d);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry other && hash == other.hash && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
