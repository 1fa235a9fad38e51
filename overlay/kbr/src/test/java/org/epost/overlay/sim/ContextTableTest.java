package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ContextTableTest {
  /** 50 seeds, each a run of 3,000 random operations. */
  static LongStream seeds() {
    return LongStream.range(1, 51);
  }

  /**
   * Random puts and removes behave like a map (contexts and their handles, through backward shifts
   * and rehashes), and the table shrinks back when emptied.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void behavesLikeAMap(long seed) {
    Simulation sim = Simulation.builder().build();
    SplittableRandom r = new SplittableRandom(seed);
    ContextTable t = new ContextTable();
    Map<Integer, NodeContext> model = new HashMap<>();
    Map<Integer, NodeHandle> handles = new HashMap<>();
    for (int step = 0; step < 3000; step++) {
      int index = r.nextInt(500);
      if (r.nextInt(3) == 0) {
        t.remove(index);
        model.remove(index);
      } else {
        NodeContext c = new NodeContext(sim, index, new float[3], 1);
        t.put(c);
        t.attach(c, new NodeHandle(Id.of(r.nextLong(), r.nextLong(), r.nextInt()), c.address));
        model.put(index, c);
        handles.put(index, t.handle(index));
      }
      int probe = r.nextInt(500);
      assertSame(model.get(probe), t.get(probe));
      NodeHandle h = handles.get(probe);
      if (model.containsKey(probe)) {
        // Reading the handle's bytes back finds that very handle; another id at the address finds
        // nothing.
        ByteBuffer wire = ByteBuffer.allocate(64);
        wire.put((byte) 7);
        h.write(wire);
        assertSame(h, t.handleIfMatches(probe, wire, 1));
        ByteBuffer other = ByteBuffer.allocate(64);
        new NodeHandle(Id.of(r.nextLong(), 0, 0), h.address()).write(other);
        assertNull(t.handleIfMatches(probe, other, 0));
      } else {
        assertNull(t.handle(probe));
      }
    }
    assertEquals(model.size(), t.size());
    for (int i = 0; i < 500; i++) {
      t.remove(i);
    }
    assertEquals(0, t.size());
    assertNull(t.get(3));
  }
}
