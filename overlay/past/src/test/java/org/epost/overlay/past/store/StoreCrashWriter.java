package org.epost.overlay.past.store;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.epost.overlay.past.api.PastObject;

/**
 * Child process of {@link DiskObjectStoreCrashTest}: writes objects forever and prints the id of
 * each one after put() returns (that is, after it was acknowledged as durable), until killed. With
 * a third argument {@code log} it writes to a {@link LogObjectStore} in group-commit batches of 1
 * to 8 puts and prints a batch's ids only after its {@code commit()}.
 */
public final class StoreCrashWriter {
  public static void main(String[] args) {
    long seed = Long.parseLong(args[1]);
    if (args.length > 2 && args[2].equals("log")) {
      logStore(Path.of(args[0]), seed);
      return;
    }
    DiskObjectStore store = DiskObjectStore.open(Path.of(args[0]), 1L << 30, 1 << 20);
    for (int i = 0; ; i++) {
      byte[] b = new byte[16 * 1024 + i % 5000];
      new SplittableRandom(seed * 1_000_003 + i).nextBytes(b);
      PastObject o = PastObject.immutable(b, Long.MAX_VALUE);
      store.put(o);
      System.out.println("stored " + seed + " " + i);
      System.out.flush();
    }
  }

  private static void logStore(Path dir, long seed) {
    // small segments so that the kill also lands near segment rolls and compactions
    LogObjectStore store = LogObjectStore.open(dir, 1L << 30, 1 << 20, 256 * 1024);
    SplittableRandom batches = new SplittableRandom(seed);
    for (int i = 0; ; ) {
      int n = 1 + batches.nextInt(8);
      store.beginBatch();
      for (int k = 0; k < n; k++) {
        store.put(PastObject.immutable(content(seed, i + k), Long.MAX_VALUE));
      }
      store.commit();
      for (int k = 0; k < n; k++) {
        System.out.println("stored " + seed + " " + (i + k));
      }
      System.out.flush();
      i += n;
    }
  }

  static byte[] content(long seed, int i) {
    byte[] b = new byte[16 * 1024 + i % 5000];
    new SplittableRandom(seed * 1_000_003 + i).nextBytes(b);
    return b;
  }
}
