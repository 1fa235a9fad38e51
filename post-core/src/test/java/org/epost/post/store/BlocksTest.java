package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.post.api.MessageRef;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartRef;
import org.epost.post.api.PartRole;
import org.junit.jupiter.api.Test;

/** The block formats and the tree's shape, without a ring. */
class BlocksTest {
  private static final ConvergentEncryption CE = new ConvergentEncryption(new byte[32]);

  private static ContentKey leaf(int i, int length) {
    byte[] id = new byte[32];
    id[0] = (byte) i;
    id[1] = (byte) (i >> 8);
    return new ContentKey(BlockId.ofDigest(id), new byte[32], ContentKey.Kind.DATA, length);
  }

  /** Builds a tree over {@code n} full leaves; returns the root and counts interior blocks. */
  private static ContentKey build(int n, List<EncryptedBlock> interiors) {
    TreeWriter t = new TreeWriter(CE);
    for (int i = 0; i < n; i++) {
      t.addLeaf(leaf(i, Blocks.LEAF), interiors);
    }
    return t.finish(interiors);
  }

  @Test
  void theRootLevelTheWriterBuildsIsTheOneTheReaderDerivesFromTheLength() throws Exception {
    for (int n : new int[] {1, 2, 699, 700, 701, 1_400, 1_401}) {
      List<EncryptedBlock> interiors = new ArrayList<>();
      ContentKey root = build(n, interiors);
      long length = (long) n * Blocks.LEAF;
      assertEquals(length, root.length(), n + " leaves");
      int level = Blocks.rootLevel(length);
      if (level == 0) {
        assertEquals(ContentKey.Kind.DATA, root.kind());
        continue;
      }
      EncryptedBlock top = interiors.get(interiors.size() - 1);
      assertEquals(root.id(), top.key().id(), "the root is emitted last");
      byte[] plain = ConvergentEncryption.decryptBlock(root, top.bytes());
      Blocks.Interior node = Blocks.decodeInterior(plain, level, length); // throws on a mismatch
      assertEquals(length, node.total());
      int expectedInteriors = n <= 700 ? 1 : (n + 699) / 700 + 1;
      assertEquals(expectedInteriors, interiors.size(), n + " leaves");
    }
  }

  @Test
  void aTreeBlockWhoseLengthsDoNotAddUpOrWhoseLevelIsWrongIsRefused() throws Exception {
    List<ContentKey> children = List.of(leaf(1, Blocks.LEAF), leaf(2, 10));
    byte[] good = Blocks.encodeInterior(1, Blocks.LEAF + 10, children);
    Blocks.decodeInterior(good, 1, Blocks.LEAF + 10);
    assertThrows(
        CryptoFormatException.class, () -> Blocks.decodeInterior(good, 2, Blocks.LEAF + 10));
    assertThrows(
        CryptoFormatException.class, () -> Blocks.decodeInterior(good, 1, Blocks.LEAF + 11));
    byte[] lying = Blocks.encodeInterior(1, Blocks.LEAF + 11, children);
    assertThrows(
        CryptoFormatException.class, () -> Blocks.decodeInterior(lying, 1, Blocks.LEAF + 11));
    byte[] bigLeaf = Blocks.encodeInterior(1, Blocks.LEAF + 1, List.of(leaf(3, Blocks.LEAF + 1)));
    assertThrows(
        CryptoFormatException.class, () -> Blocks.decodeInterior(bigLeaf, 1, Blocks.LEAF + 1));
  }

  @Test
  void theMessageBlockListsItsPartsAndAReferenceRoundTrips() throws Exception {
    List<PartInfo> parts =
        List.of(
            new PartInfo(0, PartRole.HEADER, "", new PartRef(leaf(1, 800))),
            new PartInfo(
                1,
                PartRole.ATTACHMENT,
                "2.1",
                new PartRef(
                    new ContentKey(
                        leaf(2, 1).id(), new byte[32], ContentKey.Kind.MANIFEST, 1L << 22))));
    assertEquals(parts, Blocks.decodeMessage(Blocks.encodeMessage(parts)));
    MessageRef ref = new MessageRef(CE.encryptBlock(Blocks.encodeMessage(parts)).key());
    assertEquals(ref, MessageRef.decode(ref.encode()));
    assertEquals(100, ref.encode().length);
    // A part whose kind disagrees with its length is refused.
    List<PartInfo> bad =
        List.of(
            new PartInfo(
                0,
                PartRole.BODY,
                "1",
                new PartRef(
                    new ContentKey(
                        leaf(3, 1).id(), new byte[32], ContentKey.Kind.DATA, 1L << 20))));
    assertThrows(
        CryptoFormatException.class, () -> Blocks.decodeMessage(Blocks.encodeMessage(bad)));
  }
}
