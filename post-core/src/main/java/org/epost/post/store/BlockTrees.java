package org.epost.post.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;

/**
 * The store's block trees (ADR 0100: leaves of at most 48 KiB, interior blocks of up to 700
 * children, all convergently encrypted) for other services that keep a blob on PAST in the same
 * form: the signed logs' snapshots (ADR 0102). The caller does the PAST I/O, so its retries,
 * counters and failures stay its own; this class only builds trees and walks them. The formats and
 * the tree writer stay package-private.
 */
public final class BlockTrees {
  /** A leaf of a tree and the offset of its first byte in the content. */
  record Leaf(ContentKey key, long start) {}

  /** The blocks of one tree (leaves and interior blocks, to insert in any order) and its root. */
  public record Tree(List<EncryptedBlock> blocks, ContentKey root) {}

  private BlockTrees() {}

  /** Encrypts {@code content} as one tree under {@code ce}. Pure CPU: run it off the loop. */
  public static Tree build(ConvergentEncryption ce, byte[] content) {
    TreeWriter writer = new TreeWriter(ce);
    List<EncryptedBlock> blocks = new ArrayList<>();
    for (int off = 0; ; off += Blocks.LEAF) {
      int len = Math.min(Blocks.LEAF, content.length - off);
      ContentKey root = writer.addContent(content, off, len, off == 0, blocks);
      if (root != null) {
        return new Tree(blocks, root);
      }
    }
  }

  /**
   * Whether {@code root} can name a tree: its kind agrees with its length, its depth is bounded.
   */
  public static boolean wellFormed(ContentKey root) {
    int level = Blocks.rootLevel(root.length());
    return level <= Blocks.MAX_LEVEL && (level == 0) == (root.kind() == ContentKey.Kind.DATA);
  }

  /**
   * The keys of the leaves of the well-formed tree {@code root}, in order. Interior blocks are read
   * through {@code fetch} (the block's plaintext); one whose plaintext is not the interior its key
   * names fails the stage with {@code malformed}'s exception.
   */
  public static CompletionStage<List<ContentKey>> leaves(
      ContentKey root,
      Function<ContentKey, CompletionStage<byte[]>> fetch,
      Function<CryptoFormatException, RuntimeException> malformed) {
    return leaves(root, 0, root.length(), fetch, malformed)
        .thenApply(list -> list.stream().map(Leaf::key).toList());
  }

  /**
   * The leaves of {@code root}'s tree overlapping [from, to), in order, fetching only the interior
   * blocks above them.
   */
  static CompletionStage<List<Leaf>> leaves(
      ContentKey root,
      long from,
      long to,
      Function<ContentKey, CompletionStage<byte[]>> fetch,
      Function<CryptoFormatException, RuntimeException> malformed) {
    return descend(root, Blocks.rootLevel(root.length()), 0, from, to, fetch, malformed);
  }

  private static CompletionStage<List<Leaf>> descend(
      ContentKey key,
      int level,
      long base,
      long from,
      long to,
      Function<ContentKey, CompletionStage<byte[]>> fetch,
      Function<CryptoFormatException, RuntimeException> malformed) {
    if (level == 0) {
      return CompletableFuture.completedFuture(List.of(new Leaf(key, base)));
    }
    return fetch
        .apply(key)
        .thenCompose(
            plain -> {
              Blocks.Interior node;
              try {
                node = Blocks.decodeInterior(plain, level, key.length());
              } catch (CryptoFormatException e) {
                throw malformed.apply(e);
              }
              List<CompletableFuture<List<Leaf>>> below = new ArrayList<>();
              long start = base;
              for (ContentKey child : node.children()) {
                long end = start + child.length();
                if (end > from && start < to) {
                  below.add(
                      descend(child, level - 1, start, from, to, fetch, malformed)
                          .toCompletableFuture());
                }
                start = end;
              }
              return CompletableFuture.allOf(below.toArray(new CompletableFuture<?>[0]))
                  .thenApply(
                      v -> {
                        List<Leaf> all = new ArrayList<>();
                        for (CompletableFuture<List<Leaf>> f : below) {
                          all.addAll(f.getNow(List.of()));
                        }
                        return all;
                      });
            });
  }
}
