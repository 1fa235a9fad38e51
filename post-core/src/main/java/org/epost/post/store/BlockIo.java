package org.epost.post.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.StoreException;

/**
 * The store's three PAST operations on single blocks, each retried on a retryable PAST failure with
 * a doubling back-off, and each failure turned into a {@link StoreException} that says what it
 * means for the message. Loop only.
 */
final class BlockIo {
  private final NodeEnvironment env;
  private final Past past;
  private final StoreConfig config;
  private final Counters counters;
  private boolean stopped;

  BlockIo(NodeEnvironment env, Past past, StoreConfig config, Counters counters) {
    this.env = env;
    this.past = past;
    this.config = config;
    this.counters = counters;
  }

  void stop() {
    stopped = true;
  }

  /** Inserts one block (made off the loop) until a majority of its replica set stored it. */
  CompletionStage<Void> insert(PastObject block, String what) {
    return retry(() -> past.insert(block), what, 1)
        .thenApply(
            n -> {
              counters.blocksInserted++;
              counters.bytesInserted += block.size();
              return null;
            });
  }

  /**
   * Fetches the block {@code key} names, checks it against the full 32-byte id and decrypts it off
   * the loop. Completes with the plaintext.
   */
  CompletionStage<byte[]> fetch(ContentKey key, String what) {
    return retry(() -> past.lookup(Blocks.pastId(key.id())), what, 1)
        .thenCompose(
            object -> {
              byte[] bytes = object.bytesUnsafe();
              return env.offLoop()
                  .submit(() -> ConvergentEncryption.decryptBlock(key, bytes))
                  .handle(
                      (plain, failure) -> {
                        if (failure != null) {
                          counters.corruptBlocks++;
                          throw failure(failure, what);
                        }
                        counters.blocksFetched++;
                        counters.bytesFetched += bytes.length;
                        return plain;
                      });
            });
  }

  /** Extends one block's lease on a majority of its replica set. */
  CompletionStage<Void> renew(BlockId id, long expiryWallMillis, String what) {
    return retry(() -> past.renew(Blocks.pastId(id), expiryWallMillis), what, 1)
        .thenApply(
            n -> {
              counters.blocksRenewed++;
              return null;
            });
  }

  private <T> CompletionStage<T> retry(Supplier<CompletionStage<T>> op, String what, int attempt) {
    if (stopped) {
      return CompletableFuture.failedFuture(
          new StoreException.StoreUnavailableException(
              "the message store on this node was stopped; " + what + " was not attempted", null));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    op.get()
        .whenComplete(
            (value, failure) -> {
              if (failure == null) {
                result.complete(value);
                return;
              }
              Throwable cause = unwrap(failure);
              if (cause instanceof PastException p
                  && p.retryable()
                  && attempt < config.attempts()
                  && !stopped) {
                counters.insertRetries++;
                long wait = config.retryBackoffMillis() << (attempt - 1);
                env.scheduler()
                    .schedule(
                        wait,
                        () ->
                            retry(op, what, attempt + 1)
                                .whenComplete(
                                    (v, f) -> {
                                      if (f == null) {
                                        result.complete(v);
                                      } else {
                                        result.completeExceptionally(unwrap(f));
                                      }
                                    }));
                return;
              }
              result.completeExceptionally(failure(cause, what));
            });
    return result;
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The store's meaning of a failure of {@code what}. */
  static RuntimeException failure(Throwable failure, String what) {
    Throwable t = unwrap(failure);
    if (t instanceof StoreException s) {
      return s;
    }
    if (t instanceof PastException.ObjectNotFoundException nf) {
      return new StoreException.MessageNotFoundException(
          what
              + " is not in the ring: "
              + nf.answered()
              + " of its replica set answered and none holds it (never stored, or its lease ended"
              + " because nobody renewed it)",
          t);
    }
    if (t instanceof PastException.InvalidObjectException) {
      return new StoreException.CorruptMessageException(
          what + " was refused as invalid by PAST: " + t.getMessage(), t);
    }
    if (t instanceof PastException p) {
      return new StoreException.StoreUnavailableException(
          what + " failed: " + p.getMessage() + "; retry later", t);
    }
    if (t instanceof RejectedExecutionException) {
      return new StoreException.StoreUnavailableException(
          "this node's workers are saturated; " + what + " was not attempted; retry later", t);
    }
    if (t instanceof CryptoException) {
      return new StoreException.CorruptMessageException(
          what
              + " is not what its reference names ("
              + t.getMessage()
              + "): the reference is forged or damaged, or the sender wrote a malformed message",
          t);
    }
    return t instanceof RuntimeException r ? r : new CompletionException(t);
  }
}
