package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class ContextTableTest {
  /** Random puts and removes behave like a map, and the table shrinks back when emptied. */
  @Property(tries = 50)
  void behavesLikeAMap(@ForAll long seed) {
    Simulation sim = Simulation.builder().build();
    SplittableRandom r = new SplittableRandom(seed);
    ContextTable t = new ContextTable();
    Map<Integer, NodeContext> model = new HashMap<>();
    for (int step = 0; step < 3000; step++) {
      int index = r.nextInt(500);
      if (r.nextInt(3) == 0) {
        t.remove(index);
        model.remove(index);
      } else {
        NodeContext c = new NodeContext(sim, index, new float[3], 1);
        t.put(c);
        model.put(index, c);
      }
      int probe = r.nextInt(500);
      assertSame(model.get(probe), t.get(probe));
    }
    assertEquals(model.size(), t.size());
    for (int i = 0; i < 500; i++) {
      t.remove(i);
    }
    assertEquals(0, t.size());
    assertNull(t.get(3));
  }
}
