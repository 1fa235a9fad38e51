package org.epost.post.disk;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Scheduler;

/** Test helpers: a loop that runs posted tasks at once, and directories under target/. */
public final class Direct {
  private Direct() {}

  /** A "loop" for single-threaded tests: tasks posted to it run at once, on the caller. */
  public static final Scheduler LOOP =
      new Scheduler() {
        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
          throw new UnsupportedOperationException("not needed here");
        }

        @Override
        public void execute(Runnable task) {
          task.run();
        }

        @Override
        public boolean inLoop() {
          return true;
        }
      };

  /** A new directory under target/ (real files on the build's disk). */
  public static Path dir(String prefix) {
    try {
      Path base = Path.of("target", "disk-tests");
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stage's outcome, which a direct loop and disk have already produced. */
  public static <T> T done(CompletionStage<T> s) {
    var f = s.toCompletableFuture();
    if (!f.isDone()) {
      throw new AssertionError("not completed");
    }
    return f.join();
  }
}
