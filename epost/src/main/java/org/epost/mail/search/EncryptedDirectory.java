package org.epost.mail.search;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;

/**
 * A Lucene {@link org.apache.lucene.store.Directory} whose files are encrypted and authenticated on
 * disk (ADR 0111). Each file is a header {@code "EPLX" 0x01 000000 salt[16]} followed by blocks of
 * {@link #BLOCK} plaintext bytes (the last one shorter, possibly empty), each sealed with
 * AES-256-GCM under the file's own key ({@code HKDF(master, salt)}), nonce = block number,
 * associated data = whether the block is the file's last. So a file reads at random (one block
 * decrypted per seek), a changed, swapped or reordered block fails authentication, and a cut file
 * fails at its new last block. Lucene's files are written once and never changed, which is what
 * makes a fresh random key per file and counter nonces safe.
 *
 * <p>What stays visible on disk: the number, names and sizes of the index's files (so roughly how
 * much text is indexed) and when they change. Terms, postings and every stored byte are not.
 *
 * <p>Threading: as Lucene's contract; an input and its clones are used by one thread each and share
 * only a positional-read {@link FileChannel}.
 */
final class EncryptedDirectory extends FilterDirectory {
  /** Plaintext bytes per sealed block. */
  static final int BLOCK = 8 * 1024;

  private static final byte[] MAGIC = "EPLX".getBytes(StandardCharsets.US_ASCII);
  private static final int SALT = 16;
  private static final int HEADER = 8 + SALT;
  private static final int SEALED = BLOCK + AesGcm.TAG_LENGTH;
  private static final byte[] LAST = {1};
  private static final byte[] NOT_LAST = {0};

  private final Path path;
  private final byte[] master;
  private final SecureRandom random;

  EncryptedDirectory(FSDirectory in, byte[] master, SecureRandom random) {
    super(in);
    this.path = in.getDirectory();
    this.master = master.clone();
    this.random = random;
  }

  private byte[] fileKey(byte[] salt) {
    return Hkdf.derive(
        salt, master, "epost/text-index file".getBytes(StandardCharsets.US_ASCII), 32);
  }

  private static byte[] nonce(long block) {
    return ByteBuffer.allocate(AesGcm.NONCE_LENGTH).putLong(4, block).array();
  }

  /** The plaintext length of a file of {@code stored} bytes, or -1 if no such file can be valid. */
  static long plainLength(long stored) {
    long x = stored - HEADER;
    if (x < AesGcm.TAG_LENGTH) {
      return -1;
    }
    long blocks = (x + SEALED - 1) / SEALED;
    long rest = x - (blocks - 1) * SEALED;
    if (rest < AesGcm.TAG_LENGTH) {
      return -1;
    }
    return x - blocks * AesGcm.TAG_LENGTH;
  }

  @Override
  public long fileLength(String name) throws IOException {
    long p = plainLength(in.fileLength(name));
    if (p < 0) {
      throw new CorruptIndexException("not an encrypted index file", name);
    }
    return p;
  }

  @Override
  public IndexOutput createOutput(String name, IOContext context) throws IOException {
    return new Output(in.createOutput(name, context));
  }

  @Override
  public IndexOutput createTempOutput(String prefix, String suffix, IOContext context)
      throws IOException {
    return new Output(in.createTempOutput(prefix, suffix, context));
  }

  @Override
  public IndexInput openInput(String name, IOContext context) throws IOException {
    ensureOpen();
    FileChannel ch = FileChannel.open(path.resolve(name), StandardOpenOption.READ);
    try {
      long stored = ch.size();
      long plain = plainLength(stored);
      ByteBuffer head = ByteBuffer.allocate(HEADER);
      while (head.hasRemaining() && ch.read(head, head.position()) > 0) {}
      if (plain < 0
          || head.hasRemaining()
          || !Arrays.equals(Arrays.copyOf(head.array(), 4), MAGIC)
          || head.get(4) != 1) {
        throw new CorruptIndexException("not an encrypted index file", name);
      }
      byte[] salt = Arrays.copyOfRange(head.array(), 8, HEADER);
      return new Input("Encrypted(" + name + ")", ch, fileKey(salt), plain, 0, plain, false);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Buffers a block; seals it once it is known whether it is the last (at the next write). */
  private final class Output extends IndexOutput {
    private final IndexOutput out;
    private final byte[] key;
    private final byte[] block = new byte[BLOCK];
    private final byte[] sealed = new byte[SEALED];
    private final CRC32 crc = new CRC32();
    private int fill;
    private long blocks;
    private long written;
    private boolean closed;

    Output(IndexOutput out) throws IOException {
      super("Encrypted(" + out.getName() + ")", out.getName());
      this.out = out;
      byte[] salt = new byte[SALT];
      random.nextBytes(salt);
      this.key = fileKey(salt);
      out.writeBytes(MAGIC, 4);
      out.writeBytes(new byte[] {1, 0, 0, 0}, 4);
      out.writeBytes(salt, SALT);
    }

    private void seal(boolean last) throws IOException {
      int n =
          AesGcm.encrypt(key, nonce(blocks++), last ? LAST : NOT_LAST, block, 0, fill, sealed, 0);
      out.writeBytes(sealed, n);
      fill = 0;
    }

    @Override
    public void writeByte(byte b) throws IOException {
      if (fill == BLOCK) {
        seal(false);
      }
      block[fill++] = b;
      crc.update(b);
      written++;
    }

    @Override
    public void writeBytes(byte[] b, int off, int len) throws IOException {
      crc.update(b, off, len);
      written += len;
      while (len > 0) {
        if (fill == BLOCK) {
          seal(false);
        }
        int n = Math.min(len, BLOCK - fill);
        System.arraycopy(b, off, block, fill, n);
        fill += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public long getFilePointer() {
      return written;
    }

    @Override
    public long getChecksum() {
      return crc.getValue();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try {
        seal(true);
      } finally {
        Arrays.fill(block, (byte) 0);
        Arrays.fill(key, (byte) 0);
        out.close();
      }
    }
  }

  /** A view {@code [base, base + length)} of a file's plaintext, one decrypted block at a time. */
  private static final class Input extends IndexInput {
    private final FileChannel channel;
    private final byte[] key;
    private final long plain;
    private final long base;
    private final long length;
    private final boolean slice;
    private byte[] buf = new byte[BLOCK];
    private ByteBuffer sealed = ByteBuffer.allocate(SEALED);
    private long loaded = -1;
    private long pos;
    private boolean isClone; // clones and slices share the channel; only the original closes it

    Input(
        String description,
        FileChannel channel,
        byte[] key,
        long plain,
        long base,
        long length,
        boolean slice) {
      super(description);
      this.channel = channel;
      this.key = key;
      this.plain = plain;
      this.base = base;
      this.length = length;
      this.slice = slice;
    }

    private void load(long block) throws IOException {
      long blocks = Math.max(1, (plain + BLOCK - 1) / BLOCK);
      int n = (int) Math.min(BLOCK, plain - block * BLOCK);
      sealed.clear().limit(n + AesGcm.TAG_LENGTH);
      long at = HEADER + block * SEALED;
      while (sealed.hasRemaining()) {
        if (channel.read(sealed, at + sealed.position()) < 0) {
          throw new EOFException("the index file ends early: " + this);
        }
      }
      try {
        AesGcm.decrypt(
            key,
            nonce(block),
            block == blocks - 1 ? LAST : NOT_LAST,
            sealed.array(),
            0,
            n + AesGcm.TAG_LENGTH,
            buf,
            0);
      } catch (VerificationException e) {
        loaded = -1;
        throw new CorruptIndexException("block " + block + " fails authentication", toString());
      }
      loaded = block;
    }

    @Override
    public byte readByte() throws IOException {
      if (pos >= length) {
        throw new EOFException("read past the end of " + this);
      }
      long abs = base + pos;
      long block = abs / BLOCK;
      if (block != loaded) {
        load(block);
      }
      pos++;
      return buf[(int) (abs - block * BLOCK)];
    }

    @Override
    public void readBytes(byte[] b, int off, int len) throws IOException {
      if (len > length - pos) {
        throw new EOFException("read past the end of " + this);
      }
      while (len > 0) {
        long abs = base + pos;
        long block = abs / BLOCK;
        if (block != loaded) {
          load(block);
        }
        int at = (int) (abs - block * BLOCK);
        int n = Math.min(len, BLOCK - at);
        System.arraycopy(buf, at, b, off, n);
        pos += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public long getFilePointer() {
      return pos;
    }

    @Override
    public void seek(long p) throws IOException {
      if (p < 0 || p > length) {
        throw new EOFException("seek to " + p + " outside " + this);
      }
      pos = p;
    }

    @Override
    public void skipBytes(long n) throws IOException {
      seek(pos + n);
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public Input clone() {
      Input c = (Input) super.clone();
      c.buf = new byte[BLOCK];
      c.sealed = ByteBuffer.allocate(SEALED);
      c.loaded = -1;
      c.isClone = true;
      return c;
    }

    @Override
    public IndexInput slice(String description, long offset, long len) throws IOException {
      if (offset < 0 || len < 0 || offset + len > length) {
        throw new IllegalArgumentException("slice " + offset + "+" + len + " outside " + this);
      }
      return new Input(
          getFullSliceDescription(description), channel, key, plain, base + offset, len, true);
    }

    @Override
    public void close() throws IOException {
      if (!slice && !isClone) {
        channel.close();
      }
    }
  }
}
