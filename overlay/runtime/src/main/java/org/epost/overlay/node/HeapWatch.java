package org.epost.overlay.node;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's heap peaks for {@code status}, from garbage-collection notifications: the heap is
 * fullest just before a collection, so the largest heap occupancy seen before one is the peak
 * (bounded by {@code -Xmx}); the largest seen after one bounds the live data from above (a young
 * collection leaves old-generation garbage for later). Process-wide; installed once. Thread-safe
 * (atomics; the JVM's notification thread writes).
 */
final class HeapWatch {
  private static final AtomicLong PEAK_BEFORE_GC = new AtomicLong();
  private static final AtomicLong PEAK_AFTER_GC = new AtomicLong();
  private static final Set<String> HEAP_POOLS = new HashSet<>();
  private static boolean installed;

  private HeapWatch() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        HEAP_POOLS.add(p.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(
            (n, hb) -> {
              if (!n.getType()
                  .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
              }
              GarbageCollectionNotificationInfo info =
                  GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
              PEAK_BEFORE_GC.accumulateAndGet(
                  heap(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
              PEAK_AFTER_GC.accumulateAndGet(
                  heap(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
            },
            null,
            null);
      }
    }
  }

  private static long heap(Map<String, MemoryUsage> usage) {
    long sum = 0;
    for (Map.Entry<String, MemoryUsage> e : usage.entrySet()) {
      if (HEAP_POOLS.contains(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    return sum;
  }

  /** {@code jvm heapUsed=.. heapPeak=.. afterGcPeak=.. heapMax=..} in bytes. */
  static String line() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long peak = Math.max(PEAK_BEFORE_GC.get(), heap.getUsed());
    return "jvm heapUsed="
        + heap.getUsed()
        + " heapPeak="
        + peak
        + " afterGcPeak="
        + PEAK_AFTER_GC.get()
        + " heapMax="
        + heap.getMax();
  }
}
