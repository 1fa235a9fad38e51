package org.epost.overlay.past.store;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.epost.overlay.past.api.PastObject;

/**
 * Child process of {@link DiskObjectStoreCrashTest}: writes objects forever and prints the id of
 * each one after put() returns (that is, after it was acknowledged as durable), until killed.
 */
public final class StoreCrashWriter {
  public static void main(String[] args) {
    DiskObjectStore store = DiskObjectStore.open(Path.of(args[0]), 1L << 30, 1 << 20);
    long seed = Long.parseLong(args[1]);
    for (int i = 0; ; i++) {
      byte[] b = new byte[16 * 1024 + i % 5000];
      new SplittableRandom(seed * 1_000_003 + i).nextBytes(b);
      PastObject o = PastObject.immutable(b, Long.MAX_VALUE);
      store.put(o);
      System.out.println("stored " + seed + " " + i);
      System.out.flush();
    }
  }
}
