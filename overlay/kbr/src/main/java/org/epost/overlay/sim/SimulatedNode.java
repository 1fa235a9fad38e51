package org.epost.overlay.sim;

import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;

/**
 * A node living in a {@link Simulation}. Call its overlay methods only from simulation events
 * (driver tasks scheduled with {@link Simulation#schedule}) or between {@code run*} calls.
 */
public final class SimulatedNode {
  final NodeContext context;
  final NodeHandle handle;
  final OverlayNode overlay; // null for a raw node
  int liveSlot = -1; // position in the simulation's live list

  SimulatedNode(NodeContext context, NodeHandle handle, OverlayNode overlay) {
    this.context = context;
    this.handle = handle;
    this.overlay = overlay;
  }

  /**
   * The Pastry node (its {@code KeyBasedRouter}); null for a raw node added with {@link
   * Simulation#addRawNode}.
   */
  public OverlayNode overlay() {
    return overlay;
  }

  public NodeHandle handle() {
    return handle;
  }

  public Id id() {
    return handle.id();
  }

  public Address address() {
    return context.address;
  }

  /** False once {@link Simulation#fail} was called. */
  public boolean isAlive() {
    return context.alive;
  }

  /** Alive and joined (see {@link org.epost.overlay.api.KeyBasedRouter#isReady}). */
  public boolean isReady() {
    return context.alive && overlay != null && overlay.isReady();
  }

  @Override
  public String toString() {
    return handle.toString();
  }
}
