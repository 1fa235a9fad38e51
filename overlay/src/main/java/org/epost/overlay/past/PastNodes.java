package org.epost.overlay.past;

import java.util.concurrent.Executor;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;

/** Creates PAST on an overlay node. */
public final class PastNodes {
  /** PAST's default application id on the key-based router. */
  public static final int APPLICATION_ID = 0x5041; // "PA"

  private PastNodes() {}

  /**
   * Registers PAST on {@code router} (call on the node's event loop).
   *
   * @param store the node's replica store (a {@code DiskObjectStore} in the product)
   * @param storageExecutor runs blocking store calls off the event loop; results come back to the
   *     loop. In a simulation pass {@code Runnable::run}: the store is in memory.
   */
  public static Past create(KeyBasedRouter router, ObjectStore store, Executor storageExecutor, PastConfig config) {
    return new PastNode(router, APPLICATION_ID, store, storageExecutor, config);
  }
}
