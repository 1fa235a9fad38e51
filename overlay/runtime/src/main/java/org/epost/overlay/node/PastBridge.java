package org.epost.overlay.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;

/**
 * The control port's PAST calls on a running node (ADR 0094): each crosses onto the loop through
 * the node's bridge, is tried {@link Operations#ATTEMPTS} times in all (not on an invalid or absent
 * object), and is awaited for at most {@link Operations#OP_TIMEOUT_SECONDS} s. Any thread.
 */
final class PastBridge {
  private final NodeDaemon node;
  private final long leaseMillis;

  PastBridge(NodeDaemon node, long leaseMillis) {
    this.node = node;
    this.leaseMillis = leaseMillis;
  }

  long expiry() {
    return System.currentTimeMillis() + leaseMillis;
  }

  int insert(PastObject o) throws Exception {
    return await(insertAsync(o, Operations.ATTEMPTS));
  }

  byte[] fetch(Id id) throws Exception {
    return await(lookupAsync(id, Operations.ATTEMPTS));
  }

  /** Inserts {@code o}, trying again on failure, {@code attempts} times in all. */
  CompletableFuture<Integer> insertAsync(PastObject o, int attempts) {
    return retry(() -> node.call(() -> node.past().insert(o)), attempts);
  }

  /** Fetches immutable {@code id} and checks its content against the id. */
  CompletableFuture<byte[]> lookupAsync(Id id, int attempts) {
    return retry(
        () ->
            node.call(() -> node.past().lookup(id))
                .thenApply(
                    o -> {
                      if (o.kind() != ObjectKind.IMMUTABLE
                          || !PastObject.contentId(o.bytesUnsafe()).equals(id)) {
                        throw new PastException.InvalidObjectException(
                            "object " + id.toHex() + " is not immutable content with that hash");
                      }
                      return o.bytesUnsafe();
                    }),
        attempts);
  }

  private static <T> CompletableFuture<T> retry(
      Supplier<CompletableFuture<T>> op, int attemptsLeft) {
    return op.get()
        .handle(
            (v, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(v);
              }
              Throwable cause = unwrap(e);
              if (attemptsLeft <= 1
                  || cause instanceof PastException.InvalidObjectException
                  || cause instanceof PastException.ObjectNotFoundException) {
                return CompletableFuture.<T>failedFuture(cause);
              }
              return retry(op, attemptsLeft - 1);
            })
        .thenCompose(f -> f);
  }

  static Throwable unwrap(Throwable e) {
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(Operations.OP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = unwrap(e);
      if (c instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer within " + Operations.OP_TIMEOUT_SECONDS + " s");
    }
  }

  static Id parseId(String hex) {
    try {
      return hex.length() == Id.BYTES * 2 ? Id.fromHex(hex) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
