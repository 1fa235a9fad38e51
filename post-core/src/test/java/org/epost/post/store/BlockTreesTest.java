package org.epost.post.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;
import org.junit.jupiter.api.Test;

/** The block-tree API other services use (the logs' snapshots): build, then walk back. */
class BlockTreesTest {
  private static final ConvergentEncryption CE = new ConvergentEncryption(new byte[32]);

  @Test
  void contentOfEveryShapeReadsBackThroughItsLeaves() throws CryptoException {
    int[] lengths = {0, 1, Blocks.LEAF - 1, Blocks.LEAF, Blocks.LEAF + 1, 22 * Blocks.LEAF + 7};
    for (int length : lengths) {
      byte[] content = new byte[length];
      new Random(length).nextBytes(content); // no two leaves equal, so none dedupes
      BlockTrees.Tree tree = BlockTrees.build(CE, content);
      assertEquals(length, tree.root().length());
      assertTrue(BlockTrees.wellFormed(tree.root()));
      Map<BlockId, byte[]> ring = new HashMap<>();
      for (EncryptedBlock b : tree.blocks()) {
        ring.put(b.key().id(), b.bytes());
      }
      List<ContentKey> leaves =
          BlockTrees.leaves(
                  tree.root(),
                  key -> {
                    try {
                      return CompletableFuture.completedFuture(
                          ConvergentEncryption.decryptBlock(key, ring.get(key.id())));
                    } catch (CryptoException e) {
                      return CompletableFuture.failedFuture(e);
                    }
                  },
                  IllegalStateException::new)
              .toCompletableFuture()
              .join();
      assertEquals(Math.max(1, (length + Blocks.LEAF - 1) / Blocks.LEAF), leaves.size());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (ContentKey leaf : leaves) {
        out.writeBytes(ConvergentEncryption.decryptBlock(leaf, ring.get(leaf.id())));
      }
      assertArrayEquals(content, out.toByteArray(), "length " + length);
      assertEquals(leaves.size() + (leaves.size() > 1 ? 1 : 0), ring.size(), "blocks stored");
    }
  }

  @Test
  void aKeyWhoseKindDisagreesWithItsLengthIsNoTree() {
    ContentKey leaf = BlockTrees.build(CE, new byte[10]).root();
    ContentKey lying =
        new ContentKey(leaf.id(), leaf.key(), ContentKey.Kind.MANIFEST, leaf.length());
    assertFalse(BlockTrees.wellFormed(lying));
  }
}
