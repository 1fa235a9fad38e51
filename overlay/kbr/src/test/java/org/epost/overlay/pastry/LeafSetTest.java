package org.epost.overlay.pastry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LeafSetTest {
  private static NodeHandle h(Id id, int i) {
    return new NodeHandle(id, Address.virtual(i));
  }

  private static Id pos(long top) {
    return Id.of(top, 0, 0);
  }

  @Test
  void keepsTheNearestOnEachSideAndDropsFurtherOnes() {
    NodeHandle self = h(pos(1000), 0);
    LeafSet ls = new LeafSet(self, 4);
    for (int i = 1; i <= 5; i++) {
      ls.add(h(pos(1000 + i), i));
      ls.add(h(pos(1000 - i), 10 + i));
    }
    List<NodeHandle> m = ls.members();
    assertEquals(4, m.size());
    assertEquals(pos(998), m.get(0).id());
    assertEquals(pos(999), m.get(1).id());
    assertEquals(pos(1001), m.get(2).id());
    assertEquals(pos(1002), m.get(3).id());
    assertTrue(ls.covers(pos(1001)));
    assertFalse(ls.covers(pos(5000)), "beyond the furthest member");
    assertEquals(pos(1001), ls.closest(pos(1001), null).id());
    assertEquals(self, ls.closest(pos(1000), null));
    assertTrue(ls.remove(pos(1001)));
    assertFalse(ls.contains(pos(1001)));
    assertEquals(pos(1002), ls.nearestClockwise().id());
  }

  @Test
  void smallRingKnowsEveryoneAndCoversEverything() {
    LeafSet ls = new LeafSet(h(pos(0), 0), 24);
    ls.add(h(pos(Long.MIN_VALUE), 1));
    ls.add(h(pos(42), 2));
    assertTrue(ls.covers(pos(-5)));
    assertEquals(2, ls.members().size(), "a node on both sides is listed once");
    assertEquals(pos(Long.MIN_VALUE), ls.closest(pos(Long.MIN_VALUE + 3), null).id());
  }

  /** Whatever order nodes arrive in, the leaf set is the true L/2 nearest on each side. */
  @ParameterizedTest
  @MethodSource("ringsOfOneTo80")
  void equalsTheTrueNeighboursRegardlessOfInsertionOrder(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    Id self = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
    LeafSet ls = new LeafSet(h(self, 0), 8);
    TreeSet<Id> all =
        new TreeSet<>((a, b) -> self.clockwiseDistance(a).compareTo(self.clockwiseDistance(b)));
    for (int i = 0; i < n; i++) {
      Id id = Id.of(r.nextLong(), r.nextLong(), r.nextInt());
      all.add(id);
      ls.add(h(id, i + 1));
    }
    List<Id> sorted = new ArrayList<>(all);
    TreeSet<Id> expected = new TreeSet<>();
    for (int i = 0; i < Math.min(4, sorted.size()); i++) {
      expected.add(sorted.get(i));
      expected.add(sorted.get(sorted.size() - 1 - i));
    }
    TreeSet<Id> actual = new TreeSet<>();
    ls.members().forEach(x -> actual.add(x.id()));
    assertEquals(expected, actual);
  }

  /** 200 cases: every ring size from 1 to 80 (edges included), then random sizes. */
  static Stream<Arguments> ringsOfOneTo80() {
    SplittableRandom r = new SplittableRandom(20_260_001);
    return Stream.iterate(1, i -> i + 1)
        .limit(200)
        .map(i -> Arguments.of(r.nextLong(), i <= 80 ? i : 1 + r.nextInt(80)));
  }
}
