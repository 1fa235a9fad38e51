package org.epost.mail.submit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;

/**
 * Encryption at rest of the submit package's files (the outbox and the delivery ledger):
 * AES-256-GCM under a key derived with HKDF-SHA256 from the user's signing key seed, salted per
 * purpose, so only the unlocked identity opens them.
 *
 * <p>Blobs: a random 12-byte nonce, then the ciphertext with its tag; the file's purpose is the
 * additional data. Streams (messages, up to the proxy's maximum size): a random 12-byte base nonce,
 * then chunks of at most 64 KiB of plaintext, each as a 4-byte length and its ciphertext, with the
 * chunk's number and a final-chunk flag in the additional data and the number mixed into the nonce,
 * so that a reordered, dropped or truncated chunk fails to open.
 *
 * <p>Thread-safe (immutable).
 */
final class AtRestCipher {
  private static final int CHUNK = 64 * 1024;
  private static final byte[] SALT = "epost submit at rest v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] key;
  private final SecureRandom random;

  private AtRestCipher(byte[] key, SecureRandom random) {
    this.key = key;
    this.random = random;
  }

  /** The cipher of {@code identity} for {@code purpose} (e.g. "outbox", "ledger"). */
  static AtRestCipher forIdentity(UserIdentity identity, String purpose, SecureRandom random) {
    byte[] seed = identity.signing().exportSeed();
    try {
      return new AtRestCipher(
          Hkdf.derive(SALT, seed, purpose.getBytes(StandardCharsets.UTF_8), AesGcm.KEY_LENGTH),
          random);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  byte[] seal(byte[] plaintext, byte[] aad) {
    byte[] nonce = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(nonce);
    byte[] ct = AesGcm.encrypt(key, nonce, aad, plaintext);
    byte[] out = new byte[nonce.length + ct.length];
    System.arraycopy(nonce, 0, out, 0, nonce.length);
    System.arraycopy(ct, 0, out, nonce.length, ct.length);
    return out;
  }

  /**
   * @throws IOException if the blob does not open (damaged, or written under another key)
   */
  byte[] open(byte[] sealed, byte[] aad) throws IOException {
    if (sealed.length < AesGcm.NONCE_LENGTH + AesGcm.TAG_LENGTH) {
      throw new IOException("encrypted record too short");
    }
    try {
      return AesGcm.decrypt(
          key,
          Arrays.copyOf(sealed, AesGcm.NONCE_LENGTH),
          aad,
          Arrays.copyOfRange(sealed, AesGcm.NONCE_LENGTH, sealed.length));
    } catch (org.epost.crypto.api.VerificationException | RuntimeException e) {
      throw new IOException("encrypted record does not open: damaged or another user's", e);
    }
  }

  /** Copies {@code plain} to {@code out} encrypted; returns the bytes written. */
  long encrypt(InputStream plain, OutputStream out, byte[] aad) throws IOException {
    byte[] base = new byte[AesGcm.NONCE_LENGTH];
    random.nextBytes(base);
    out.write(base);
    long written = base.length;
    byte[] buf = new byte[CHUNK];
    byte[] next = new byte[CHUNK];
    int n = plain.readNBytes(buf, 0, CHUNK);
    long index = 0;
    while (true) {
      int m = n == CHUNK ? plain.readNBytes(next, 0, CHUNK) : 0;
      boolean last = m == 0;
      byte[] ct =
          AesGcm.encrypt(
              key, nonce(base, index), chunkAad(aad, index, last), Arrays.copyOf(buf, n));
      out.write(ByteBuffer.allocate(4).putInt(ct.length).array());
      out.write(ct);
      written += 4 + ct.length;
      if (last) {
        return written;
      }
      byte[] t = buf;
      buf = next;
      next = t;
      n = m;
      index++;
    }
  }

  /** A stream of the plaintext of what {@link #encrypt} wrote; fails on any damage. */
  InputStream decrypt(InputStream encrypted, byte[] aad) throws IOException {
    DataInputStream in =
        new DataInputStream(new java.io.BufferedInputStream(encrypted, CHUNK + 64));
    byte[] base = in.readNBytes(AesGcm.NONCE_LENGTH);
    if (base.length != AesGcm.NONCE_LENGTH) {
      throw new IOException("encrypted file too short");
    }
    return new InputStream() {
      private byte[] chunk = new byte[0];
      private int pos;
      private long index;
      private boolean done;

      private boolean fill() throws IOException {
        while (pos == chunk.length) {
          if (done) {
            return false;
          }
          int len;
          try {
            len = in.readInt();
          } catch (EOFException e) {
            throw new IOException("encrypted file truncated");
          }
          if (len < AesGcm.TAG_LENGTH || len > CHUNK + AesGcm.TAG_LENGTH) {
            throw new IOException("encrypted file damaged (chunk length " + len + ")");
          }
          byte[] ct = in.readNBytes(len);
          if (ct.length != len) {
            throw new IOException("encrypted file truncated");
          }
          boolean last = in.available() == 0 && peekEnd(in);
          try {
            chunk = AesGcm.decrypt(key, nonce(base, index), chunkAad(aad, index, last), ct);
          } catch (org.epost.crypto.api.VerificationException | RuntimeException e) {
            throw new IOException("encrypted file damaged or truncated", e);
          }
          pos = 0;
          index++;
          done = last;
        }
        return true;
      }

      @Override
      public int read() throws IOException {
        if (!fill()) {
          return -1;
        }
        return chunk[pos++] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  /** True if the stream is at its end (reads ahead one byte through mark/reset). */
  private static boolean peekEnd(DataInputStream in) throws IOException {
    if (!in.markSupported()) {
      throw new IOException("stream without mark");
    }
    in.mark(1);
    int b = in.read();
    in.reset();
    return b == -1;
  }

  private static byte[] nonce(byte[] base, long index) {
    byte[] n = base.clone();
    for (int i = 0; i < 8; i++) {
      n[n.length - 1 - i] ^= (byte) (index >>> (8 * i));
    }
    return n;
  }

  private static byte[] chunkAad(byte[] aad, long index, boolean last) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(aad.length + 9);
    b.writeBytes(aad);
    b.writeBytes(ByteBuffer.allocate(8).putLong(index).array());
    b.write(last ? 1 : 0);
    return b.toByteArray();
  }
}
