package org.epost.smtp.server;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;

/**
 * Runs backend calls on the backend executor and waits at most the configured time, so a slow or
 * stuck backend turns into 451 4.4.3 for the waiting client only; an exception that is not a {@link
 * SubmissionException} turns into 451 4.3.0. A call that timed out is interrupted. At most {@code
 * slots} calls run or wait at once: a slot is held from admission until the backend call itself
 * returns (not until its caller gave up), so calls that ignore their interrupt keep their slots,
 * and once every slot is taken the client gets 451 4.3.0 at once. Slots, not the executor's thread
 * hand-off, decide admission, so a thread that has just finished a call and is not yet idle again
 * can never cause a spurious refusal.
 *
 * <p>Thread-safe; called from session threads.
 */
final class BackendCaller {
  private static final System.Logger LOG = System.getLogger(BackendCaller.class.getName());

  /** A backend call that may refuse with a typed status. */
  @FunctionalInterface
  interface BackendCall {
    void run() throws Exception;
  }

  private final ExecutorService executor;
  private final Semaphore slots;
  private final Duration timeout;

  BackendCaller(ExecutorService executor, int slots, Duration timeout) {
    this.executor = executor;
    this.slots = new Semaphore(slots);
    this.timeout = timeout;
  }

  void call(String what, BackendCall call) throws SubmissionException {
    if (!slots.tryAcquire()) {
      // Every slot is taken, typically by calls that ignored the interrupt after their
      // timeout: refuse instead of growing threads or queues without bound.
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "Storage is overloaded, try again later");
    }
    Future<Void> future;
    try {
      future =
          executor.submit(
              () -> {
                try {
                  call.run();
                  return null;
                } finally {
                  slots.release();
                }
              });
    } catch (RejectedExecutionException e) {
      slots.release();
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "Server shutting down, try again later", e);
    }
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      LOG.log(Level.WARNING, () -> "backend " + what + " did not answer within " + timeout);
      throw new SubmissionException(SmtpStatus.STORAGE_TIMEOUT, null, e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "Server shutting down, try again later", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SubmissionException refusal) {
        throw refusal;
      }
      LOG.log(Level.WARNING, "backend " + what + " failed", cause);
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, null, cause);
    }
  }
}
