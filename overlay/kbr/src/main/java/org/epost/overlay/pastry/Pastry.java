package org.epost.overlay.pastry;

import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;

/** Creates Pastry nodes. The only public entry point of this package besides {@link WireFormat}. */
public final class Pastry {
  private Pastry() {}

  /**
   * A new node with {@code id} on {@code environment}; it installs itself as the transport's
   * receiver. Call {@link OverlayNode#createRing()} or {@link OverlayNode#join} next, on the node's
   * event loop.
   */
  public static OverlayNode newNode(Id id, NodeEnvironment environment, PastryConfig config) {
    return new PastryNode(id, environment, config);
  }
}
