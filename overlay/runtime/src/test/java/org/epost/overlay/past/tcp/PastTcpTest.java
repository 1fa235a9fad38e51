package org.epost.overlay.past.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.past.api.PastObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PAST over the real transport (TLS over loopback TCP) with disk stores: inserted objects come back
 * (the 20-node figures are PastTcpBenchMain).
 */
class PastTcpTest {
  @Test
  void eightNodesOnLoopbackStoreAndReturnObjects(@TempDir Path dir) throws Exception {
    try (PastTcpRing ring = new PastTcpRing(8, dir)) {
      SplittableRandom r = new SplittableRandom(1);
      for (int i = 0; i < 20; i++) {
        byte[] b = new byte[4700];
        r.nextBytes(b);
        PastObject o = PastObject.immutable(b, Long.MAX_VALUE / 4);
        PastTcpRing.Member writer = ring.members.get(r.nextInt(8));
        int stored =
            PastTcpRing.call(writer, () -> writer.past.insert(o)).get(20, TimeUnit.SECONDS);
        assertTrue(stored >= 3, "majority stored, got " + stored);
        PastTcpRing.Member reader = ring.members.get(r.nextInt(8));
        PastObject got =
            PastTcpRing.call(reader, () -> reader.past.lookup(o.id())).get(20, TimeUnit.SECONDS);
        assertArrayEquals(b, got.bytes());
      }
    }
  }
}
