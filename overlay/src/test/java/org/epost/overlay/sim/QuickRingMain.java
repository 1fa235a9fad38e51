package org.epost.overlay.sim;

/** Runs {@link QuickRingTest} outside JUnit, for profiling: {@code -Dring.nodes=N}. */
public final class QuickRingMain {
  public static void main(String[] args) {
    new QuickRingTest().quietRingDeliversEveryLookupToTheClosestNode();
  }
}
