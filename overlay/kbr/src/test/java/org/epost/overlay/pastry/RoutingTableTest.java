package org.epost.overlay.pastry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.junit.jupiter.api.Test;

class RoutingTableTest {
  private static final Id SELF = Id.fromHex("a".repeat(40));

  private static NodeHandle h(String hexPrefix, int addr) {
    return new NodeHandle(
        Id.fromHex(hexPrefix + "0".repeat(40 - hexPrefix.length())), Address.virtual(addr));
  }

  @Test
  void entryGoesToTheRowOfTheSharedPrefixAndTheColumnOfTheNextDigit() {
    RoutingTable t = new RoutingTable(SELF);
    NodeHandle n = h("a3", 1);
    assertTrue(t.offer(n, RoutingTable.UNKNOWN_RTT));
    assertEquals(n, t.get(1, 3));
    assertNull(t.get(0, 0xa));
    assertEquals(1, t.highestRow());
  }

  @Test
  void closerCandidateReplacesAFartherOneButNotTheOtherWayRound() {
    RoutingTable t = new RoutingTable(SELF);
    NodeHandle far = h("3", 1);
    NodeHandle near = h("31", 2);
    NodeHandle nearer = h("32", 3);
    t.offer(far, 120);
    assertFalse(t.offer(near, 150), "slower candidate must not replace");
    assertTrue(t.offer(near, 40));
    assertEquals(near, t.get(0, 3));
    assertFalse(t.offer(far, RoutingTable.UNKNOWN_RTT), "unmeasured candidate never replaces");
    assertTrue(t.offer(nearer, 10));
    assertEquals(10, t.rtt(0, 3));
    assertEquals(java.util.List.of(nearer), t.nearest(0, 2));
  }

  @Test
  void unmeasuredEntryIsReplacedByAMeasuredCandidateAndRemovalEmptiesTheSlot() {
    RoutingTable t = new RoutingTable(SELF);
    NodeHandle a = h("5", 1);
    NodeHandle b = h("51", 2);
    t.offer(a, RoutingTable.UNKNOWN_RTT);
    assertTrue(t.offer(b, 300));
    assertTrue(t.remove(b.id()));
    assertNull(t.get(0, 5));
    assertFalse(t.remove(b.id()));
    assertEquals(-1, t.highestRow());
  }

  @Test
  void ownIdHasNoSlot() {
    RoutingTable t = new RoutingTable(SELF);
    assertFalse(t.offer(new NodeHandle(SELF, Address.virtual(9)), 1));
    assertTrue(t.entries().isEmpty());
  }
}
