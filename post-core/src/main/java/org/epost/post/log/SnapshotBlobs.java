package org.epost.post.log;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.OffLoopExecutor;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.LogException;

/**
 * Snapshots as a two-level tree of sealed PAST immutable blocks: leaves of at most 48 KiB of the
 * state, and a root listing the leaves' 32-byte ids and the state's length. Sealing and opening run
 * off the loop. This is the log's own small blob store until the single-copy store's part trees
 * (ADR 0100, 0101) can carry a log-keyed blob; then {@link #put}/{@link #get} move onto them.
 */
final class SnapshotBlobs {
  private final RingAccess ring;
  private final OffLoopExecutor offLoop;
  private final LogConfig config;
  private final Counters counters;

  SnapshotBlobs(RingAccess ring, OffLoopExecutor offLoop, LogConfig config, Counters counters) {
    this.ring = ring;
    this.offLoop = offLoop;
    this.config = config;
    this.counters = counters;
  }

  private record Sealed(List<byte[]> leaves, byte[] root) {}

  /** Stores {@code state}; completes with the root block's 32-byte id once all are stored. */
  CompletionStage<byte[]> put(LogCrypto crypto, byte[] state, long expiry) {
    return offLoop
        .submit(
            () -> {
              List<byte[]> leaves = new ArrayList<>();
              ByteArrayOutputStream ids = new ByteArrayOutputStream();
              for (int off = 0; off < state.length || off == 0; off += LogConfig.MAX_BLOCK_BYTES) {
                int len = Math.min(LogConfig.MAX_BLOCK_BYTES, state.length - off);
                byte[] leaf =
                    crypto.seal(LogCrypto.SNAPSHOT_LEAF, Arrays.copyOfRange(state, off, off + len));
                leaves.add(leaf);
                ids.writeBytes(Sha256.hash(leaf));
                if (state.length == 0) {
                  break;
                }
              }
              byte[] root =
                  crypto.seal(
                      LogCrypto.SNAPSHOT_ROOT,
                      CanonicalWriter.start("epost/log-snapshot", 1)
                          .u64(1, state.length)
                          .bytes(2, ids.toByteArray())
                          .toByteArray());
              return new Sealed(leaves, root);
            })
        .thenCompose(
            s ->
                RingAccess.parallel(
                        s.leaves,
                        config.fetchWindow(),
                        leaf -> ring.insert(PastObject.immutable(leaf, expiry)))
                    .thenCompose(x -> ring.insert(PastObject.immutable(s.root, expiry)))
                    .thenApply(
                        x -> {
                          counters.snapshotWrites++;
                          return Sha256.hash(s.root);
                        }));
  }

  /** Reads the snapshot whose root block is {@code rootId}. */
  CompletionStage<byte[]> get(LogCrypto crypto, byte[] rootId) {
    return ring.fetchBlock(rootId)
        .thenCompose(
            rootBytes -> {
              long length;
              byte[] ids;
              try {
                byte[] plain = crypto.open(LogCrypto.SNAPSHOT_ROOT, rootBytes);
                CanonicalReader r = CanonicalReader.open(plain, "epost/log-snapshot", 1);
                length = r.u64(1);
                ids = r.bytes(2, 32, plain.length);
                r.end();
              } catch (CryptoException e) {
                throw corrupt("snapshot root", e);
              }
              int n = ids.length / 32;
              if (ids.length % 32 != 0
                  || length > config.maxSnapshotBytes()
                  || length > (long) n * LogConfig.MAX_BLOCK_BYTES) {
                throw corrupt("snapshot root", null);
              }
              List<byte[]> leafIds = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                leafIds.add(Arrays.copyOfRange(ids, 32 * i, 32 * i + 32));
              }
              return RingAccess.parallel(leafIds, config.fetchWindow(), ring::fetchBlock)
                  .thenCompose(
                      leaves ->
                          offLoop.submit(
                              () -> {
                                ByteArrayOutputStream out = new ByteArrayOutputStream();
                                for (byte[] leaf : leaves) {
                                  try {
                                    out.writeBytes(crypto.open(LogCrypto.SNAPSHOT_LEAF, leaf));
                                  } catch (CryptoException e) {
                                    return null; // counted on the loop below
                                  }
                                }
                                return out.size() == length ? out.toByteArray() : null;
                              }))
                  .thenApply(
                      state -> {
                        if (state == null) {
                          throw corrupt("snapshot leaf or length", null);
                        }
                        return state;
                      });
            });
  }

  private CompletionException corrupt(String what, Exception e) {
    counters.corruptionsDetected++;
    return new CompletionException(
        new LogException.Corrupt(
            "the owner's " + what + " is invalid" + (e == null ? "" : ": " + e.getMessage())));
  }
}
