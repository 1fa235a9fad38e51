package org.epost.overlay.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An application's own frames and the overlay's acknowledgements of them are counted apart, as the
 * counters' javadoc says: in a quiet ring where only lookups are routed, the lookups' frames are
 * exactly the ROUTE frames, and their acknowledgements exactly the ACK and RECEIPT frames.
 */
class TrafficCountersTest {

  @Test
  void applicationMessagesLeaveTheirAcksToControlTraffic() {
    Simulation sim = Simulation.builder().seed(5).build();
    RingHarness h = new RingHarness(sim);
    h.build(40, 200, 60_000);
    TrafficCounters before = sim.traffic().snapshot();
    for (int i = 0; i < 200; i++) {
      sim.schedule(i * 50L, h::lookup);
    }
    sim.runFor(40_000);
    assertEquals(h.sent, h.delivered, "a quiet ring delivers every lookup");
    TrafficCounters after = sim.traffic();
    long routes = delta(after.messagesByType(), before.messagesByType(), "ROUTE");
    long acks =
        delta(after.messagesByType(), before.messagesByType(), "ACK")
            + delta(after.messagesByType(), before.messagesByType(), "RECEIPT");
    long appMessages =
        after.applicationMessages(RingHarness.LOOKUP_APP)
            - before.applicationMessages(RingHarness.LOOKUP_APP);
    long appAcks =
        after.applicationAcks(RingHarness.LOOKUP_APP)
            - before.applicationAcks(RingHarness.LOOKUP_APP);
    assertTrue(routes >= h.sent, "every lookup is at least one ROUTE frame");
    assertEquals(routes, appMessages, "lookup frames are the ROUTE frames, acks not included");
    assertEquals(acks, appAcks, "the lookups' ACKs and RECEIPTs are counted apart");
    assertTrue(appAcks > 0);
    long control = (after.totalMessages() - before.totalMessages()) - appMessages;
    assertEquals(
        after.totalMessages() - before.totalMessages() - routes,
        control,
        "control (all messages that are not lookups) = total - applicationMessages");
    assertTrue(
        after.applicationBytes(RingHarness.LOOKUP_APP)
            > before.applicationBytes(RingHarness.LOOKUP_APP));
    assertTrue(
        after.applicationAckBytes(RingHarness.LOOKUP_APP)
            > before.applicationAckBytes(RingHarness.LOOKUP_APP));
  }

  private static long delta(Map<String, Long> after, Map<String, Long> before, String type) {
    return after.getOrDefault(type, 0L) - before.getOrDefault(type, 0L);
  }
}
