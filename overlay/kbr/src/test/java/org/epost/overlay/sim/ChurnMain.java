package org.epost.overlay.sim;

/**
 * Churn experiment for development (the simulator module has the real runner): {@code
 * -Dring.nodes=1000 -Dsession.seconds=120 -Dminutes=10 -Drate=10}.
 */
public final class ChurnMain {
  public static void main(String[] args) {
    int n = Integer.getInteger("ring.nodes", 1000);
    double session = Integer.getInteger("session.seconds", 120);
    int minutes = Integer.getInteger("minutes", 10);
    int rate = Integer.getInteger("rate", 10);
    Simulation sim = Simulation.builder().seed(Long.getLong("seed", 5)).build();
    RingHarness h = new RingHarness(sim);
    long t0 = System.nanoTime();
    h.build(n, 50, 60_000);
    long t1 = System.nanoTime();
    // Churn: each live node fails after an exponential session; a fresh node replaces it.
    Runnable[] churn = new Runnable[1];
    churn[0] =
        () -> {
          SimulatedNode victim = sim.randomLiveNode();
          sim.fail(victim);
          h.addNode();
          double gap = -Math.log(1 - sim.random().nextDouble()) * session * 1000 / n;
          sim.schedule((long) gap, churn[0]);
        };
    sim.schedule(0, churn[0]);
    long endMillis = sim.nowMillis() + minutes * 60_000L;
    for (long t = 0; t < minutes * 60_000L; t += 1000 / rate) {
      sim.schedule(t, h::lookup);
    }
    sim.runUntilMicros(endMillis * 1000);
    sim.runFor(30_000);
    long t2 = System.nanoTime();
    long lost = h.sent - h.delivered;
    System.out.printf(
        "nodes=%d session=%.0fs build=%.1fs churnrun=%.1fs(sim %d s) lookups=%d lost=%d (%.2e) wrong=%d (%.2e) dup=%d hops=%.3f stretch=%.3f%n",
        n,
        session,
        (t1 - t0) / 1e9,
        (t2 - t1) / 1e9,
        minutes * 60 + 30,
        h.sent,
        lost,
        lost / (double) h.sent,
        h.wrongRoot,
        h.wrongRoot / (double) h.sent,
        h.duplicates,
        h.hopsSum / (double) h.delivered,
        h.pathMicros / (double) h.directMicros);
  }
}
