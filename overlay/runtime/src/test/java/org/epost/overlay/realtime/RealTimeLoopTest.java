package org.epost.overlay.realtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.epost.overlay.api.Cancellable;
import org.junit.jupiter.api.Test;

class RealTimeLoopTest {
  @Test
  void tasksRunInOrderOnTheLoopThreadAndSurviveAThrowingTask() throws Exception {
    try (RealTimeLoop loop = new RealTimeLoop("test-loop")) {
      List<Integer> order = new CopyOnWriteArrayList<>();
      AtomicBoolean onLoop = new AtomicBoolean(true);
      CountDownLatch done = new CountDownLatch(1);
      for (int i = 0; i < 100; i++) {
        int n = i;
        loop.execute(
            () -> {
              onLoop.compareAndSet(true, loop.inLoop());
              order.add(n);
            });
      }
      loop.execute(
          () -> {
            throw new IllegalStateException("a failing task must not stop the loop");
          });
      loop.execute(done::countDown);
      assertTrue(done.await(10, TimeUnit.SECONDS));
      assertEquals(100, order.size());
      for (int i = 0; i < 100; i++) {
        assertEquals(i, order.get(i));
      }
      assertTrue(onLoop.get());
      assertFalse(loop.inLoop());
    }
  }

  @Test
  void delayedTaskRunsNoEarlierThanItsDelayAndCancelledTaskNever() throws Exception {
    try (RealTimeLoop loop = new RealTimeLoop("test-loop")) {
      long start = loop.nowMillis();
      long[] ranAt = new long[1];
      CountDownLatch done = new CountDownLatch(1);
      AtomicBoolean cancelledRan = new AtomicBoolean();
      Cancellable c = loop.schedule(50, () -> cancelledRan.set(true));
      c.cancel();
      loop.schedule(
          100,
          () -> {
            ranAt[0] = loop.nowMillis();
            done.countDown();
          });
      assertTrue(done.await(10, TimeUnit.SECONDS));
      assertTrue(ranAt[0] - start >= 100, "ran after " + (ranAt[0] - start) + " ms");
      assertFalse(cancelledRan.get());
    }
  }
}
