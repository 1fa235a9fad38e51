package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.epost.overlay.api.RandomSource;
import org.junit.jupiter.api.Test;

/**
 * A simulated node's secure randomness: repeatable with the seed, different per node and per seed,
 * and independent of the main stream that the protocol's traces depend on.
 */
class SecureRandomnessTest {
  private static byte[] draw(RandomSource random) {
    byte[] bytes = new byte[48];
    random.secure().nextBytes(bytes);
    return bytes;
  }

  @Test
  void sameSeedSameBytesOtherNodeOrSeedOtherBytes() {
    Simulation a = Simulation.builder().seed(7).build();
    Simulation b = Simulation.builder().seed(7).build();
    Simulation c = Simulation.builder().seed(8).build();
    RandomSource a1 = a.createRing().overlay().environment().random();
    RandomSource a2 = a.addNode().overlay().environment().random();
    RandomSource b1 = b.createRing().overlay().environment().random();
    RandomSource c1 = c.createRing().overlay().environment().random();

    byte[] first = draw(a1);
    assertArrayEquals(first, draw(b1));
    assertFalse(Arrays.equals(first, draw(a2)), "two nodes share a secure stream");
    assertFalse(Arrays.equals(first, draw(c1)), "two seeds share a secure stream");
    assertFalse(Arrays.equals(first, draw(a1)), "the stream repeats itself");
  }

  @Test
  void drawingSecureBytesLeavesTheMainStreamAndTheTraceAsTheyWere() {
    Simulation quiet = Simulation.builder().seed(3).build();
    Simulation drawing = Simulation.builder().seed(3).build();
    RandomSource q = quiet.createRing().overlay().environment().random();
    RandomSource d = drawing.createRing().overlay().environment().random();
    for (int i = 0; i < 20; i++) {
      quiet.addNode();
      drawing.addNode();
      draw(d);
      draw(drawing.random());
      quiet.runFor(500);
      drawing.runFor(500);
    }
    assertEquals(q.nextLong(), d.nextLong());
    assertEquals(quiet.random().nextLong(), drawing.random().nextLong());
    assertEquals(quiet.traceHash(), drawing.traceHash());
  }
}
