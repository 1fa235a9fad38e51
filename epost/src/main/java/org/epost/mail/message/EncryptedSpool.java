package org.epost.mail.message;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.primitives.AesGcm;

/**
 * Holds a message while it is cut into parts. A message shorter than one chunk (64 KiB: most mail)
 * stays in memory and never touches the disk. A longer one goes to a temporary file, so that a 64
 * MiB message is never held in memory: written once in 64 KiB chunks, each sealed with AES-GCM
 * under a random key that lives only in this object (nonce: the chunk number), owner-only, and
 * deleted by {@link #close()}. A crash leaves a file nobody can read; the account deletes leftovers
 * when it opens.
 *
 * <p>Threading: one writer, then any number of readers each on its own thread.
 */
public final class EncryptedSpool implements AutoCloseable {
  static final int CHUNK = 64 * 1024;
  private static final int SEALED = CHUNK + AesGcm.TAG_LENGTH;

  private final Path dir;
  private final SecureRandom random;
  private Path file; // created at the first full chunk
  private byte[] key;
  private byte[] memory; // the whole message when it ended within the first chunk
  private long length = -1;

  /** Creates an empty spool; its file, if it needs one, goes in {@code dir} (owner-only). */
  public EncryptedSpool(Path dir, SecureRandom random) throws IOException {
    Files.createDirectories(dir);
    this.dir = dir;
    this.random = random;
  }

  /** The spool's file, or null while (or because) the message fits in memory. */
  Path file() {
    return file;
  }

  private void createFile() throws IOException {
    file =
        Files.createTempFile(
            dir,
            "spool-",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    key = new byte[AesGcm.KEY_LENGTH];
    random.nextBytes(key);
  }

  /** The spool's length once written. */
  public long length() {
    if (length < 0) {
      throw new IllegalStateException("the spool is still being written");
    }
    return length;
  }

  /** The stream that writes the spool; closing it ends the spool. One writer only. */
  public OutputStream writer() throws IOException {
    return new OutputStream() {
      private OutputStream out; // the file's, from the first full chunk
      private final byte[] chunk = new byte[CHUNK];
      private final byte[] sealed = new byte[SEALED];
      private int fill;
      private long chunks;
      private long total;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
          int n = Math.min(len, CHUNK - fill);
          System.arraycopy(b, off, chunk, fill, n);
          fill += n;
          off += n;
          len -= n;
          total += n;
          if (fill == CHUNK) {
            flushChunk();
          }
        }
      }

      private void flushChunk() throws IOException {
        if (out == null) {
          createFile();
          out = Files.newOutputStream(file);
        }
        int n = AesGcm.encrypt(key, nonce(chunks++), null, chunk, 0, fill, sealed, 0);
        out.write(sealed, 0, n);
        fill = 0;
      }

      @Override
      public void close() throws IOException {
        if (length >= 0) {
          return;
        }
        if (out == null) {
          memory = Arrays.copyOf(chunk, fill); // never reached a full chunk: no file
        } else {
          if (fill > 0) {
            flushChunk();
          }
          out.close();
        }
        length = total;
      }
    };
  }

  /** A stream of {@code [offset, offset + count)} of the spooled bytes. */
  public InputStream reader(long offset, long count) throws IOException {
    if (offset < 0 || count < 0 || offset + count > length()) {
      throw new IllegalArgumentException("range outside the spool");
    }
    if (memory != null) {
      return new ByteArrayInputStream(memory, (int) offset, (int) count);
    }
    RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
    return new InputStream() {
      private long pos = offset;
      private final long end = offset + count;
      private long loaded = -1;
      private byte[] plain = new byte[0];

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
          return -1;
        }
        long index = pos / CHUNK;
        if (index != loaded) {
          load(index);
        }
        int at = (int) (pos - index * CHUNK);
        int n = (int) Math.min(Math.min(len, plain.length - at), end - pos);
        System.arraycopy(plain, at, b, off, n);
        pos += n;
        return n;
      }

      private void load(long index) throws IOException {
        int plainLen = (int) Math.min(CHUNK, length - index * CHUNK);
        byte[] sealed = new byte[plainLen + AesGcm.TAG_LENGTH];
        raf.seek(index * SEALED);
        raf.readFully(sealed);
        try {
          plain = AesGcm.decrypt(key, nonce(index), null, sealed);
        } catch (VerificationException e) {
          throw new IOException("the spool file " + file + " was changed underneath", e);
        }
        loaded = index;
      }

      @Override
      public void close() throws IOException {
        raf.close();
      }
    };
  }

  private static byte[] nonce(long chunk) {
    return ByteBuffer.allocate(AesGcm.NONCE_LENGTH).putLong(4, chunk).array();
  }

  /** Deletes the file and forgets the key. */
  @Override
  public void close() {
    memory = null;
    if (file == null) {
      return;
    }
    Arrays.fill(key, (byte) 0);
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the file is unreadable without the key; the account removes leftovers when it opens
    }
  }
}
