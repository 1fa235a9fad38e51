package org.epost.simulator.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Measures live heap: requests full collections until the used heap stops shrinking (by less than
 * 1% between two rounds, at most ten rounds) and returns the smallest figure seen.
 */
final class HeapMeter {

  private HeapMeter() {}

  static long liveHeapBytes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 10; round++) {
      memory.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      boolean stable = best != Long.MAX_VALUE && used >= best - best / 100;
      best = Math.min(best, used);
      if (stable) {
        break;
      }
    }
    return best;
  }
}
