package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Scheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real-mode local state: durable, replaced atomically, read back after a restart. */
class FileLogLocalStateTest {
  /** The test thread plays the node's loop: tasks posted with execute run when it drains. */
  static final class TestLoop implements Scheduler {
    final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
      throw new UnsupportedOperationException("not needed here");
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public boolean inLoop() {
      return true;
    }

    void runUntil(CompletableFuture<?> f) throws InterruptedException {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!f.isDone() && System.nanoTime() < end) {
        Runnable r = tasks.poll(100, TimeUnit.MILLISECONDS);
        if (r != null) {
          r.run();
        }
      }
      assertTrue(f.isDone(), "completed on the loop");
    }
  }

  @Test
  void valuesAreDurableAcrossARestartAndLeftoverTemporariesAreRemoved(@TempDir Path dir)
      throws Exception {
    ExecutorService disk = Executors.newSingleThreadExecutor();
    try {
      TestLoop loop = new TestLoop();
      FileLogLocalState s = new FileLogLocalState(dir, disk, loop);
      assertNull(s.read("log-mark/ab"));
      CompletableFuture<Void> w1 =
          s.write("log-mark/ab", new byte[] {1, 2, 3}).toCompletableFuture();
      assertArrayEquals(new byte[] {1, 2, 3}, s.read("log-mark/ab"), "visible at once");
      CompletableFuture<Void> w2 = s.write("log-mark/ab", new byte[] {4, 5}).toCompletableFuture();
      loop.runUntil(w1);
      loop.runUntil(w2);
      assertFalse(w2.isCompletedExceptionally());
      // A crash in the middle of a later write leaves a temporary file beside the good one.
      Files.write(dir.resolve("log-mark~ab.tmp"), new byte[] {9, 9});
      FileLogLocalState reopened = new FileLogLocalState(dir, disk, loop);
      assertArrayEquals(new byte[] {4, 5}, reopened.read("log-mark/ab"), "the last durable value");
      assertFalse(Files.exists(dir.resolve("log-mark~ab.tmp")), "leftover temporary removed");
      assertThrows(IllegalArgumentException.class, () -> reopened.write("../etc", new byte[1]));
      assertThrows(
          IllegalArgumentException.class,
          () -> reopened.write("big", new byte[FileLogLocalState.MAX_VALUE + 1]));
    } finally {
      disk.shutdownNow();
    }
  }
}
