package org.epost.simulator.api;

import java.math.BigInteger;

/**
 * Upcalls from a {@link SimulatedRing}, made on the experiment's thread inside {@code runUntil}.
 */
public interface RingListener {

  /** The node finished its join and is now a ring member. Called at most once per node. */
  void joined(BigInteger node);

  /**
   * The overlay delivered lookup {@code lookupId} to the application at {@code root}. May be called
   * more than once for the same lookup (a rerouted duplicate); the experiment counts the first.
   *
   * @param hops number of overlay hops the delivered copy took (0 if the source was the root)
   */
  void delivered(long lookupId, BigInteger root, int hops);
}
