package org.epost.overlay.api;

import java.util.List;

/**
 * A Pastry node: the {@link KeyBasedRouter} plus its life cycle.
 *
 * <p>Threading: as {@link KeyBasedRouter}; the life-cycle methods are loop-only and checked.
 */
public interface OverlayNode extends KeyBasedRouter {
  /** Starts a new ring with this node as its only member; it is ready at once. */
  @LoopOnly
  void createRing();

  /**
   * Joins the ring through the first of {@code bootstraps} (addresses of live members); if no join
   * reply arrives within the join timeout, retries through the next one, cycling.
   */
  @LoopOnly
  void join(List<Address> bootstraps);

  /** Stops timers and ignores further frames. Other nodes see this as an abrupt failure. */
  @LoopOnly
  void stop();
}
