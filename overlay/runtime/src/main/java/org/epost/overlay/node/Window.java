package org.epost.overlay.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * At most {@link Operations#WINDOW} operations in flight; the first failure is kept and stops
 * further submissions.
 */
final class Window {
  private final Semaphore permits = new Semaphore(Operations.WINDOW);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  void run(Supplier<? extends CompletableFuture<?>> op) throws Exception {
    check();
    if (!permits.tryAcquire(Operations.OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new TimeoutException(
          "no operation finished within " + Operations.OP_TIMEOUT_SECONDS + " s");
    }
    check();
    CompletableFuture<?> f;
    try {
      f = op.get();
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    f.whenComplete(
        (v, e) -> {
          if (e != null) {
            failure.compareAndSet(null, PastBridge.unwrap(e));
          }
          permits.release();
        });
  }

  void await() throws Exception {
    if (!permits.tryAcquire(
        Operations.WINDOW, Operations.OP_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
      throw new TimeoutException(
          "operations still running after " + Operations.OP_TIMEOUT_SECONDS * 2 + " s");
    }
    permits.release(Operations.WINDOW);
    check();
  }

  private void check() throws Exception {
    Throwable t = failure.get();
    if (t instanceof Exception e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }
}
