package org.epost.post.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.LogException;

/**
 * The log service's use of PAST: lookups and inserts retried on retryable failures a bounded number
 * of times, full 32-byte hash checks of blocks, and bounded parallel fetches. On the loop.
 */
final class RingAccess {
  private final Past past;
  private final Scheduler scheduler;
  private final LogConfig config;
  private final Counters counters;

  RingAccess(Past past, Scheduler scheduler, LogConfig config, Counters counters) {
    this.past = past;
    this.scheduler = scheduler;
    this.config = config;
    this.counters = counters;
  }

  /** Unwraps a stage's failure. */
  static Throwable cause(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Reads the mutable object {@code id}: completes with it, or with null when a read quorum said
   * "not found"; fails with {@link LogException.Unavailable} when every try was unavailable.
   */
  CompletionStage<PastObject> lookupHead(Id id) {
    return retry(
        () -> {
          counters.objectsFetched++;
          return past.lookup(id)
              .handle(
                  (o, t) -> {
                    if (t == null) {
                      return o;
                    }
                    Throwable c = cause(t);
                    if (c instanceof PastException.ObjectNotFoundException) {
                      return null;
                    }
                    throw new CompletionException(c);
                  });
        },
        "the log head " + id);
  }

  /** Fetches immutable block {@code blockId} (32 bytes) and checks it hashes to the id. */
  CompletionStage<byte[]> fetchBlock(byte[] blockId) {
    Id id = Id.fromBytes(Arrays.copyOf(blockId, Id.BYTES));
    return retry(
        () -> {
          counters.objectsFetched++;
          return past.lookup(id)
              .thenApply(
                  o -> {
                    byte[] data = o.data();
                    if (!Arrays.equals(Sha256.hash(data), blockId)) {
                      counters.corruptionsDetected++;
                      throw new CompletionException(
                          new PastException.UnavailableException(
                              "block " + id + " does not hash to its full id",
                              PastException.UnavailableException.Reason.NO_QUORUM,
                              0,
                              0));
                    }
                    return data;
                  })
              .handle(
                  (d, t) -> {
                    if (t == null) {
                      return d;
                    }
                    Throwable c = cause(t);
                    if (c instanceof PastException.ObjectNotFoundException) {
                      throw new CompletionException(
                          new LogException.Unavailable(
                              "log block "
                                  + id
                                  + " named by a valid head is not on its replica set (lost, or"
                                  + " its holders are away): "
                                  + c.getMessage(),
                              c));
                    }
                    throw new CompletionException(c);
                  });
        },
        "log block " + id);
  }

  /** Inserts {@code object}, retrying retryable failures (inserts are idempotent). */
  CompletionStage<Integer> insert(PastObject object) {
    return retry(() -> past.insert(object), "inserting " + object.id());
  }

  private <T> CompletionStage<T> retry(Supplier<CompletionStage<T>> call, String what) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(call, what, 1, result);
    return result;
  }

  private <T> void attempt(
      Supplier<CompletionStage<T>> call, String what, int n, CompletableFuture<T> result) {
    call.get()
        .whenComplete(
            (v, t) -> {
              if (t == null) {
                result.complete(v);
                return;
              }
              Throwable c = cause(t);
              boolean retryable =
                  (c instanceof PastException p && p.retryable())
                      || (c instanceof LogException.Unavailable);
              if (retryable && n < config.attempts()) {
                scheduler.schedule(
                    config.retryDelayMillis(), () -> attempt(call, what, n + 1, result));
              } else if (c instanceof LogException) {
                result.completeExceptionally(c);
              } else if (retryable) {
                result.completeExceptionally(
                    new LogException.Unavailable(
                        what + " failed " + n + " times: " + c.getMessage(), c));
              } else {
                result.completeExceptionally(
                    new LogException.Corrupt(what + " failed: " + c.getMessage()));
              }
            });
  }

  /**
   * Applies {@code work} to every item with at most {@code window} stages in flight; completes with
   * the results in order, or fails with the first failure (after the ones in flight end).
   */
  static <X, Y> CompletionStage<List<Y>> parallel(
      List<X> items, int window, Function<X, CompletionStage<Y>> work) {
    CompletableFuture<List<Y>> done = new CompletableFuture<>();
    List<Y> results = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      results.add(null);
    }
    if (items.isEmpty()) {
      done.complete(results);
      return done;
    }
    int[] next = {0};
    int[] finished = {0};
    Throwable[] failure = {null};
    Runnable[] launch = new Runnable[1];
    launch[0] =
        () -> {
          if (failure[0] != null || next[0] >= items.size()) {
            return;
          }
          int i = next[0]++;
          work.apply(items.get(i))
              .whenComplete(
                  (y, t) -> {
                    finished[0]++;
                    if (t != null && failure[0] == null) {
                      failure[0] = cause(t);
                    } else {
                      results.set(i, y);
                    }
                    if (failure[0] != null) {
                      if (finished[0] == next[0]) {
                        done.completeExceptionally(failure[0]);
                      }
                      return;
                    }
                    if (finished[0] == items.size()) {
                      done.complete(results);
                    } else {
                      launch[0].run();
                    }
                  });
        };
    for (int k = 0; k < Math.min(window, items.size()); k++) {
      launch[0].run();
    }
    return done;
  }
}
