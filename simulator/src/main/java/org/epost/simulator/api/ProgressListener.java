package org.epost.simulator.api;

/**
 * Receives progress of a running experiment, on the experiment's thread, about once per simulated
 * second.
 */
@FunctionalInterface
public interface ProgressListener {

  /**
   * @param phase what the experiment is doing ({@code build}, {@code settle}, {@code measure},
   *     {@code drain}, {@code done})
   * @param simMicros simulated time done
   * @param simTotalMicros simulated time the whole run is expected to take (an estimate during the
   *     build)
   * @param events events processed by the engine so far
   * @param liveNodes nodes currently in the ring
   */
  void progress(String phase, long simMicros, long simTotalMicros, long events, int liveNodes);

  ProgressListener NONE = (phase, sim, total, events, live) -> {};
}
