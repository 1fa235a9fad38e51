package org.epost.post.store;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.ContentKey;
import org.epost.post.api.PartReader;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoreException;
import org.epost.post.store.BlockTrees.Leaf;

/**
 * Reads a range of one part (ADR 0100): first the interior blocks on the way to the range (only the
 * children that overlap it), then the overlapping leaves in order with at most {@link
 * StoreConfig#prefetch()} fetched ahead. The resolved leaf list holds keys only (about 100 bytes a
 * leaf, at most the part's leaves in the range); block bytes held are the prefetch window's. Loop
 * only.
 */
final class RangeReader implements PartReader {
  private final BlockIo io;
  private final int prefetch;
  private final PartRef part;
  private final long from;
  private final long to;
  private final ArrayDeque<CompletableFuture<byte[]>> window = new ArrayDeque<>();
  private final ArrayDeque<Leaf> windowLeaves = new ArrayDeque<>();
  private CompletionStage<List<Leaf>> resolved;
  private List<Leaf> leaves;
  private int nextLeaf;
  private boolean closed;
  private Throwable failure;

  RangeReader(BlockIo io, int prefetch, PartRef part, long offset, long length) {
    this.io = io;
    this.prefetch = prefetch;
    this.part = part;
    long partLength = part.length();
    this.from = Math.min(offset, partLength);
    this.to = Math.min(partLength, offset + Math.min(length, partLength));
  }

  @Override
  public CompletionStage<byte[]> next() {
    if (failure != null) {
      return CompletableFuture.failedFuture(failure);
    }
    if (closed) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("this part reader was closed"));
    }
    if (from >= to) {
      return CompletableFuture.completedFuture(null);
    }
    if (resolved == null) {
      resolved = resolve();
    }
    return resolved.thenCompose(
        list -> {
          if (closed) {
            throw new IllegalStateException("this part reader was closed");
          }
          leaves = list;
          fill();
          if (window.isEmpty()) {
            return CompletableFuture.completedFuture((byte[]) null);
          }
          CompletableFuture<byte[]> head = window.poll();
          Leaf leaf = windowLeaves.poll();
          fill();
          return head.handle(
              (plain, f) -> {
                if (f != null) {
                  failure = BlockIo.failure(f, "a block of " + part);
                  close();
                  throw (RuntimeException) failure;
                }
                long start = Math.max(from, leaf.start());
                long end = Math.min(to, leaf.start() + plain.length);
                if (start == leaf.start() && end == leaf.start() + plain.length) {
                  return plain;
                }
                return Arrays.copyOfRange(
                    plain, (int) (start - leaf.start()), (int) (end - leaf.start()));
              });
        });
  }

  private void fill() {
    while (!closed && window.size() < prefetch && nextLeaf < leaves.size()) {
      Leaf leaf = leaves.get(nextLeaf++);
      window.add(io.fetch(leaf.key(), "a block of " + part).toCompletableFuture());
      windowLeaves.add(leaf);
    }
  }

  @Override
  public void close() {
    closed = true;
    window.clear();
    windowLeaves.clear();
  }

  /** The leaves overlapping [from, to), in order, fetching only the interior blocks above them. */
  private CompletionStage<List<Leaf>> resolve() {
    ContentKey root = part.root();
    if (!BlockTrees.wellFormed(root)) {
      failure =
          new StoreException.CorruptMessageException(
              part + " does not name a well-formed block tree (kind and length disagree)", null);
      return CompletableFuture.failedFuture(failure);
    }
    String what = "a tree block of " + part;
    return BlockTrees.leaves(
            root, from, to, key -> io.fetch(key, what), e -> BlockIo.failure(e, what))
        .whenComplete(
            (l, f) -> {
              if (f != null) {
                failure = BlockIo.failure(f, what);
              }
            });
  }
}
