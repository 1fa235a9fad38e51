package org.epost.crypto.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.BlockSink;
import org.epost.crypto.api.BlockSource;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;
import org.epost.crypto.primitives.Sha256;

/**
 * Content-hash encryption keyed by a convergence secret.
 *
 * <pre>
 * macKey = HKDF-SHA-256(salt = none, ikm = convergence secret, info = "epost/chk/mac-key/v1")
 * key    = HMAC-SHA-256(macKey, kind || plaintext)          32 bytes, the AES-256 key
 * block  = 0x01 || kind || AES-256-GCM(key, nonce = 12 zero bytes, aad = 0x01 || kind, plaintext)
 * id     = SHA-256(block)
 * </pre>
 *
 * <p>The nonce is fixed because every key encrypts exactly one plaintext (ADR 0013). Content up to
 * {@link #CHUNK_SIZE} is one {@code DATA} block; larger content is cut into chunks, each a {@code
 * DATA} block, listed with their keys in one {@code MANIFEST} block. Streaming never holds more
 * than one chunk plus the manifest in memory.
 *
 * <p>Equal plaintexts under the same secret give byte-identical blocks (deduplication); anyone
 * without the secret cannot compute a block's key or id from a guessed plaintext.
 *
 * <p>Thread-safe: instances are immutable; per-call state is on the calling thread.
 */
public final class ConvergentEncryption {
  /** Chunk size for large content (1 MiB). */
  public static final int CHUNK_SIZE = 1 << 20;

  /** Most chunks one manifest lists (about 14.6 GiB of content). */
  public static final int MAX_CHUNKS = 15_000;

  static final int FORMAT = 1;
  static final int HEADER = 2;
  private static final byte[] NONCE = new byte[AesGcm.NONCE_LENGTH];
  private static final byte[] MAC_KEY_INFO =
      "epost/chk/mac-key/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USER_SECRET_INFO =
      "epost/chk/user-convergence-secret/v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[][] AAD = {
    null,
    {FORMAT, (byte) ContentKey.Kind.DATA.code()},
    {FORMAT, (byte) ContentKey.Kind.MANIFEST.code()}
  };

  private final Mac prototype;

  /** An encryptor for {@code convergenceSecret} (at least 16 bytes; 32 recommended). */
  public ConvergentEncryption(byte[] convergenceSecret) {
    if (convergenceSecret.length < 16) {
      throw new IllegalArgumentException("convergence secret must be at least 16 bytes");
    }
    byte[] macKey = Hkdf.derive(null, convergenceSecret, MAC_KEY_INFO, 32);
    this.prototype = Hkdf.hmac(macKey);
    Arrays.fill(macKey, (byte) 0);
  }

  /**
   * The per-user encryptor of ADR 0013: the secret is derived from the user's private signing key,
   * so only that user (on any of their machines) produces these blocks.
   */
  public static ConvergentEncryption forUser(UserIdentity user) {
    byte[] seed = user.signing().exportSeed();
    byte[] secret = Hkdf.derive(null, seed, USER_SECRET_INFO, 32);
    Arrays.fill(seed, (byte) 0);
    try {
      return new ConvergentEncryption(secret);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Encrypts small content as one block. */
  public EncryptedBlock encryptBlock(byte[] content) {
    return encryptBlock(content, 0, content.length, ContentKey.Kind.DATA);
  }

  /** Encrypts {@code content[off, off+len)} (at most {@link #CHUNK_SIZE}) as one block. */
  public EncryptedBlock encryptBlock(byte[] content, int off, int len) {
    return encryptBlock(content, off, len, ContentKey.Kind.DATA);
  }

  /**
   * Encrypts {@code content[off, off+len)} as one block of {@code kind}. A {@code DATA} block holds
   * at most {@link #CHUNK_SIZE} bytes; a {@code MANIFEST} block holds whatever index the caller
   * encodes (the key is derived over kind and plaintext, so a data block and an index block with
   * equal bytes never share a key). Callers that build their own index format (the message store's
   * trees, ADR 0100) use this with {@code MANIFEST}; {@link #decryptBlock} reads either kind.
   */
  public EncryptedBlock encryptBlock(byte[] content, int off, int len, ContentKey.Kind kind) {
    if (len > CHUNK_SIZE && kind == ContentKey.Kind.DATA) {
      throw new IllegalArgumentException(
          "one block holds at most " + CHUNK_SIZE + " bytes; use encrypt(InputStream, BlockSink)");
    }
    Mac mac = mac();
    mac.update((byte) kind.code());
    mac.update(content, off, len);
    byte[] key = mac.doFinal();
    byte[] block = new byte[HEADER + len + AesGcm.TAG_LENGTH];
    block[0] = FORMAT;
    block[1] = (byte) kind.code();
    AesGcm.encrypt(key, NONCE, AAD[kind.code()], content, off, len, block, HEADER);
    MessageDigest sha = Sha256.get();
    sha.update(block);
    BlockId id = BlockId.ofDigest(sha.digest());
    ContentKey ck = new ContentKey(id, key, kind, len);
    Arrays.fill(key, (byte) 0);
    return new EncryptedBlock(ck, block);
  }

  /**
   * Encrypts a stream of any length up to {@link #MAX_CHUNKS} chunks, handing each block to {@code
   * sink} as soon as it is made. Reads {@code in} to its end; does not close it.
   *
   * @return the key of the root block (a {@code DATA} block or a {@code MANIFEST})
   * @throws IOException from {@code in} or {@code sink}, or if the content is too large
   */
  public ContentKey encrypt(InputStream in, BlockSink sink) throws IOException {
    byte[] buf = new byte[CHUNK_SIZE];
    int n = in.readNBytes(buf, 0, CHUNK_SIZE);
    int next = n == CHUNK_SIZE ? in.read() : -1;
    if (next < 0) {
      EncryptedBlock b = encryptBlock(buf, 0, n, ContentKey.Kind.DATA);
      sink.accept(b.key().id(), b.bytes());
      return b.key();
    }
    Manifest.Builder manifest = new Manifest.Builder();
    while (true) {
      EncryptedBlock chunk = encryptBlock(buf, 0, n, ContentKey.Kind.DATA);
      sink.accept(chunk.key().id(), chunk.bytes());
      if (manifest.size() == MAX_CHUNKS) {
        throw new IOException("content larger than " + MAX_CHUNKS + " MiB is not supported");
      }
      manifest.add(chunk.key());
      if (next < 0) {
        break;
      }
      buf[0] = (byte) next;
      n = 1 + in.readNBytes(buf, 1, CHUNK_SIZE - 1);
      next = n == CHUNK_SIZE ? in.read() : -1;
    }
    byte[] encoded = manifest.encode();
    EncryptedBlock root = encryptBlock(encoded, 0, encoded.length, ContentKey.Kind.MANIFEST);
    sink.accept(root.key().id(), root.bytes());
    return new ContentKey(
        root.key().id(), root.key().key(), ContentKey.Kind.MANIFEST, manifest.totalLength());
  }

  /**
   * Checks {@code block} against {@code key.id()} and decrypts it. For a {@code DATA} root the
   * result is the content; for a {@code MANIFEST} use {@link #decrypt(ContentKey, BlockSource,
   * OutputStream)}.
   *
   * @throws VerificationException if the block does not hash to its id or does not decrypt
   * @throws CryptoFormatException if the block header is malformed or of another kind
   */
  public static byte[] decryptBlock(ContentKey key, byte[] block) throws CryptoException {
    MessageDigest sha = Sha256.get();
    if (!MessageDigest.isEqual(sha.digest(block), key.id().toBytes())) {
      throw new VerificationException("block does not match its id " + key.id());
    }
    if (block.length < HEADER + AesGcm.TAG_LENGTH || block[0] != FORMAT) {
      throw new CryptoFormatException("not a version-1 content block");
    }
    if (block[1] != key.kind().code()) {
      throw new CryptoFormatException(
          "block kind " + block[1] + " where " + key.kind() + " was expected");
    }
    byte[] plain = new byte[block.length - HEADER - AesGcm.TAG_LENGTH];
    AesGcm.decrypt(
        key.key(), NONCE, AAD[key.kind().code()], block, HEADER, block.length - HEADER, plain, 0);
    if (key.kind() == ContentKey.Kind.DATA && plain.length != key.length()) {
      throw new VerificationException("block length differs from the length in its key");
    }
    return plain;
  }

  /**
   * Fetches, checks and decrypts content into {@code out}, one chunk at a time. Does not close
   * {@code out}. On an exception, {@code out} may have received a prefix of the content.
   *
   * @throws CryptoException if any block is forged, damaged or malformed
   * @throws IOException from {@code source} or {@code out}
   */
  public static void decrypt(ContentKey key, BlockSource source, OutputStream out)
      throws CryptoException, IOException {
    byte[] root = decryptBlock(key, source.fetch(key.id()));
    if (key.kind() == ContentKey.Kind.DATA) {
      out.write(root);
      return;
    }
    Manifest manifest = Manifest.decode(root, key.length());
    for (int i = 0; i < manifest.size(); i++) {
      ContentKey chunk = manifest.chunk(i);
      out.write(decryptBlock(chunk, source.fetch(chunk.id())));
    }
  }

  private Mac mac() {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("HmacSHA256 provider does not support clone()", e);
    }
  }
}
