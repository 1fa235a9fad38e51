package org.epost.crypto.content;

import static org.epost.crypto.testing.TestBytes.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConvergentEncryptionTest {
  private static final int MIB = ConvergentEncryption.CHUNK_SIZE;
  private final ConvergentEncryption alice = new ConvergentEncryption(TestBytes.random(32, 1));
  private final ConvergentEncryption bob = new ConvergentEncryption(TestBytes.random(32, 2));

  /** A block store that checks nothing: the decryptor must. */
  private static final class Store {
    final Map<BlockId, byte[]> blocks = new HashMap<>();
    final List<BlockId> order = new ArrayList<>();

    void put(BlockId id, byte[] block) {
      assertTrue(id.matches(block), "a storer can verify every block by its id");
      blocks.put(id, block);
      order.add(id);
    }

    byte[] fetch(BlockId id) throws IOException {
      byte[] b = blocks.get(id);
      if (b == null) {
        throw new IOException("no block " + id);
      }
      return b;
    }
  }

  @Test
  void smallBlockRoundTrip() throws Exception {
    byte[] msg = TestBytes.random(4700, 3);
    EncryptedBlock b = alice.encryptBlock(msg);
    assertEquals(2 + 4700 + 16, b.bytes().length);
    assertEquals(BlockId.of(b.bytes()), b.key().id());
    assertArrayEquals(msg, ConvergentEncryption.decryptBlock(b.key(), b.bytes()));
    ContentKey decoded = ContentKey.decode(b.key().encode());
    assertEquals(b.key(), decoded);
  }

  @Test
  void sameContentSameSecretDeduplicatesEvenTwiceInARow() {
    byte[] msg = "the same attachment".getBytes(StandardCharsets.UTF_8);
    EncryptedBlock a1 = alice.encryptBlock(msg);
    EncryptedBlock a2 = alice.encryptBlock(msg);
    assertArrayEquals(a1.bytes(), a2.bytes());
    assertEquals(a1.key(), a2.key());
    assertNotEquals(a1.key().id(), bob.encryptBlock(msg).key().id());
  }

  @Test
  void perUserSecretIsStableAndDistinct() {
    UserIdentity u = UserIdentity.generate(TestBytes.seeded(5));
    UserIdentity v = UserIdentity.generate(TestBytes.seeded(6));
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        ConvergentEncryption.forUser(u).encryptBlock(msg).key().id(),
        ConvergentEncryption.forUser(u).encryptBlock(msg).key().id());
    assertNotEquals(
        ConvergentEncryption.forUser(u).encryptBlock(msg).key().id(),
        ConvergentEncryption.forUser(v).encryptBlock(msg).key().id());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 4700, MIB - 1, MIB, MIB + 1, 3 * MIB + 12345})
  void streamingRoundTrip(int size) throws Exception {
    byte[] content = TestBytes.random(size, size);
    Store store = new Store();
    ContentKey key = alice.encrypt(new ByteArrayInputStream(content), store::put);
    assertEquals(size, key.length());
    assertEquals(size > MIB ? ContentKey.Kind.MANIFEST : ContentKey.Kind.DATA, key.kind());
    assertEquals(size > MIB ? (size + MIB - 1) / MIB + 1 : 1, store.order.size());
    assertEquals(key.id(), store.order.get(store.order.size() - 1), "root block comes last");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ConvergentEncryption.decrypt(key, store::fetch, out);
    assertArrayEquals(content, out.toByteArray());
  }

  @Test
  void streamingHandsOutChunksBeforeTheInputEnds() throws Exception {
    long total = 8L * MIB;
    long[] consumed = {0};
    long[] consumedAtFirstBlock = {-1};
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            return consumed[0] < total ? (int) (consumed[0]++ & 0xFF) : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (consumed[0] >= total) {
              return -1;
            }
            int n = (int) Math.min(len, total - consumed[0]);
            for (int i = 0; i < n; i++) {
              b[off + i] = (byte) (consumed[0] + i);
            }
            consumed[0] += n;
            return n;
          }
        };
    ContentKey key =
        alice.encrypt(
            endless,
            (id, block) -> {
              if (consumedAtFirstBlock[0] < 0) {
                consumedAtFirstBlock[0] = consumed[0];
              }
            });
    assertEquals(total, key.length());
    assertTrue(
        consumedAtFirstBlock[0] <= MIB + 1,
        "first chunk emitted after reading " + consumedAtFirstBlock[0] + " bytes");
  }

  @Test
  void everyBitFlipInABlockIsDetectedByStorerAndReader() {
    EncryptedBlock b = alice.encryptBlock("short note".getBytes(StandardCharsets.UTF_8));
    for (int bit = 0; bit < b.bytes().length * 8; bit++) {
      byte[] bad = flip(b.bytes(), bit);
      assertTrue(!b.key().id().matches(bad), "storer must notice bit " + bit);
      try {
        ConvergentEncryption.decryptBlock(b.key(), bad);
        fail("reader accepted bit flip " + bit);
      } catch (CryptoException expected) {
        // detected
      }
    }
  }

  @Test
  void everyBitFlipInAContentKeyIsDetectedOnDecryption() throws Exception {
    EncryptedBlock b = alice.encryptBlock("short note".getBytes(StandardCharsets.UTF_8));
    byte[] enc = b.key().encode();
    for (int bit = 0; bit < enc.length * 8; bit++) {
      try {
        ContentKey k = ContentKey.decode(flip(enc, bit));
        ConvergentEncryption.decryptBlock(k, b.bytes());
        fail("content key bit flip " + bit + " undetected");
      } catch (CryptoException expected) {
        // detected: malformed key, wrong id, wrong kind, wrong length or failed tag
      }
    }
  }

  @Test
  void forgedChunkBehindManifestIsRejected() throws Exception {
    Store store = new Store();
    ContentKey key =
        alice.encrypt(new ByteArrayInputStream(TestBytes.random(2 * MIB + 5, 9)), store::put);
    BlockId firstChunk = store.order.get(0);
    byte[] evil = store.blocks.get(firstChunk).clone();
    evil[100] ^= 1;
    store.blocks.put(firstChunk, evil);
    assertThrows(
        VerificationException.class,
        () -> ConvergentEncryption.decrypt(key, store::fetch, OutputStream.nullOutputStream()));
  }

  /**
   * Confirmation-of-file: a form letter whose only unknown is a 4-digit PIN. An attacker who sees
   * the stored block id tries all 10,000 PINs. With the victim's convergence secret the attack
   * finds the PIN; without it (an outsider, or another user under per-user secrets) it finds
   * nothing.
   */
  @Test
  void confirmationOfFileNeedsTheConvergenceSecret() {
    byte[] victimSecret = TestBytes.random(32, 77);
    String pin = "4821";
    BlockId observed = new ConvergentEncryption(victimSecret).encryptBlock(letter(pin)).key().id();

    assertEquals(
        pin,
        guessPin(new ConvergentEncryption(victimSecret), observed),
        "with the secret the guess is confirmed");
    assertNull(
        guessPin(new ConvergentEncryption(TestBytes.random(32, 78)), observed),
        "without the secret no guess matches");
  }

  private static byte[] letter(String pin) {
    return ("Dear customer,\r\nyour new card PIN is " + pin + ".\r\nYour bank\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static String guessPin(ConvergentEncryption attacker, BlockId observed) {
    for (int i = 0; i < 10_000; i++) {
      String guess = String.format("%04d", i);
      if (attacker.encryptBlock(letter(guess)).key().id().equals(observed)) {
        return guess;
      }
    }
    return null;
  }

  @Test
  void blockIdIsSha256OfStoredBytes() throws Exception {
    EncryptedBlock b = alice.encryptBlock(new byte[10]);
    assertArrayEquals(
        MessageDigest.getInstance("SHA-256").digest(b.bytes()), b.key().id().toBytes());
  }
}
