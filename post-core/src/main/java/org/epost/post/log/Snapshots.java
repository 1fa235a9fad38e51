package org.epost.post.log;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.OffLoopExecutor;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.LogException;
import org.epost.post.store.BlockTrees;

/**
 * Snapshots as the message store's block trees (ADR 0100; ADR 0102 amended): leaves of at most 48
 * KiB and interior blocks, convergently encrypted under the log's own secret ({@link
 * LogCrypto#convergence()}); the head carries the root's key sealed under the log key. The blocks
 * go through the log's {@link RingAccess} (its retries, hash checks and counters); building and
 * decrypting run off the loop.
 */
final class Snapshots {
  private final RingAccess ring;
  private final OffLoopExecutor offLoop;
  private final LogConfig config;
  private final Counters counters;

  Snapshots(RingAccess ring, OffLoopExecutor offLoop, LogConfig config, Counters counters) {
    this.ring = ring;
    this.offLoop = offLoop;
    this.config = config;
    this.counters = counters;
  }

  private record Built(List<PastObject> blocks, byte[] sealedRoot) {}

  /** Stores {@code state}; completes with the root's sealed key once every block is stored. */
  CompletionStage<byte[]> put(LogCrypto crypto, byte[] state, long expiry) {
    ConvergentEncryption ce = crypto.convergence();
    return offLoop
        .submit(
            () -> {
              BlockTrees.Tree tree = BlockTrees.build(ce, state);
              List<PastObject> blocks =
                  tree.blocks().stream().map(b -> PastObject.immutable(b.bytes(), expiry)).toList();
              return new Built(blocks, crypto.seal(LogCrypto.SNAPSHOT_ROOT, tree.root().encode()));
            })
        .thenCompose(
            b ->
                RingAccess.parallel(b.blocks(), config.fetchWindow(), ring::insert)
                    .thenApply(
                        x -> {
                          counters.snapshotWrites++;
                          return b.sealedRoot();
                        }));
  }

  /** Reads the snapshot whose root key the head carries sealed as {@code sealedRoot}. */
  CompletionStage<byte[]> get(LogCrypto crypto, byte[] sealedRoot) {
    ContentKey root;
    try {
      root = ContentKey.decode(crypto.open(LogCrypto.SNAPSHOT_ROOT, sealedRoot));
    } catch (CryptoException e) {
      return CompletableFuture.failedFuture(corrupt("snapshot root", e));
    }
    if (root.length() > config.maxSnapshotBytes() || !BlockTrees.wellFormed(root)) {
      return CompletableFuture.failedFuture(corrupt("snapshot root", null));
    }
    return BlockTrees.leaves(
            root,
            key ->
                ring.fetchBlock(key.id().toBytes())
                    .thenCompose(
                        bytes -> offLoop.submit(() -> decrypt(List.of(key), List.of(bytes))))
                    .thenApply(plain -> checked(plain, "snapshot tree block")),
            e -> corrupt("snapshot tree block", e))
        .thenCompose(
            keys ->
                RingAccess.parallel(
                        keys, config.fetchWindow(), k -> ring.fetchBlock(k.id().toBytes()))
                    .thenCompose(leaves -> offLoop.submit(() -> decrypt(keys, leaves))))
        .thenApply(
            state ->
                checked(
                    state != null && state.length == root.length() ? state : null,
                    "snapshot leaf or length"));
  }

  /** Off the loop: the blocks' plaintexts end to end, or null if one does not decrypt. */
  private static byte[] decrypt(List<ContentKey> keys, List<byte[]> blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < keys.size(); i++) {
      try {
        out.writeBytes(ConvergentEncryption.decryptBlock(keys.get(i), blocks.get(i)));
      } catch (CryptoException e) {
        return null; // counted on the loop
      }
    }
    return out.toByteArray();
  }

  private byte[] checked(byte[] plain, String what) {
    if (plain == null) {
      throw corrupt(what, null);
    }
    return plain;
  }

  private CompletionException corrupt(String what, Exception e) {
    counters.corruptionsDetected++;
    return new CompletionException(
        new LogException.Corrupt(
            "the owner's " + what + " is invalid" + (e == null ? "" : ": " + e.getMessage())));
  }
}
